package dev.sluice.workflows.engine;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.workflows.Trigger;
import dev.sluice.workflows.internal.ErrorInfo;
import dev.sluice.workflows.internal.InstanceState;
import dev.sluice.workflows.internal.Outcome;
import java.util.List;

/**
 * One record of the commands topic: everything that changes an instance goes through it, so the task
 * that owns the instance's partition is its only writer.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record Command(
        Type type,
        String workflow,
        String id,
        JsonNode params,
        Trigger trigger,
        InstanceState.ParentRef parent,
        String token,
        List<Outcome> outcomes,
        String eventType,
        JsonNode payload,
        String from,
        Integer count,
        String stepId,
        JsonNode output,
        ErrorInfo error) {

    enum Type {
        CREATE,
        OUTCOME,
        EVENT,
        PAUSE,
        RESUME,
        TERMINATE,
        RESTART,
        CHILD_FINISHED,
        /** Is the execution under this token lost? Its instance runs again if it still holds the token. */
        RECOVER
    }

    static Command create(
            String workflow, String id, JsonNode params, Trigger trigger, InstanceState.ParentRef parent) {
        return new Command(
                Type.CREATE,
                workflow,
                id,
                params,
                trigger,
                parent,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null);
    }

    /** What one execution reached: steps that succeeded one after another, then where it stopped. */
    static Command outcomes(String token, List<Outcome> outcomes) {
        return new Command(
                Type.OUTCOME, null, null, null, null, null, token, outcomes, null, null, null, null, null, null, null);
    }

    static Command recover(String token) {
        return new Command(
                Type.RECOVER, null, null, null, null, null, token, null, null, null, null, null, null, null, null);
    }

    static Command event(String eventType, JsonNode payload) {
        return new Command(
                Type.EVENT, null, null, null, null, null, null, null, eventType, payload, null, null, null, null, null);
    }

    static Command of(Type type) {
        return new Command(type, null, null, null, null, null, null, null, null, null, null, null, null, null, null);
    }

    static Command restart(String from, Integer count) {
        return new Command(
                Type.RESTART, null, null, null, null, null, null, null, null, null, from, count, null, null, null);
    }

    static Command childFinished(String stepId, JsonNode output, ErrorInfo error) {
        return new Command(
                Type.CHILD_FINISHED,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                stepId,
                output,
                error);
    }

    byte[] toBytes() {
        return Json.write(this);
    }

    static Command fromBytes(byte[] bytes) {
        return Json.read(bytes, Command.class);
    }
}

package dev.sluice.workflows.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.workflows.InstanceStatus;
import java.util.List;

/** What a transition of {@link InstanceState} asks its host (the engine or the test driver) to do. */
public sealed interface Effect {

    /** Run the instance's code against its history; its outcome comes back with {@code token}. */
    record Dispatch(String token) implements Effect {}

    /** Let the execution holding {@code token} finish its step, then start no other: a pause. */
    record StopAtBoundary(String token) implements Effect {}

    /** Stop the execution holding {@code token}: its outcome will be ignored anyway. */
    record CancelExecution(String token) implements Effect {}

    /** Record a step's result. */
    record PutResult(String stepId, StepValue value) implements Effect {}

    /** Forget these steps' results (a restart). */
    record DeleteResults(List<String> stepIds) implements Effect {}

    /** Call {@link InstanceState#onTimer} at {@code due}. */
    record SetTimer(long due) implements Effect {}

    record CancelTimer(long due) implements Effect {}

    /** Create an instance of {@code workflow} whose end is reported to this instance's {@code stepId}. */
    record StartChild(String workflow, String childId, JsonNode params, String stepId) implements Effect {}

    /** Tell the parent instance this child ended: {@code error} null means it completed with {@code output}. */
    record NotifyParent(InstanceState.ParentRef parent, JsonNode output, ErrorInfo error) implements Effect {}

    /** The instance reached a final status. */
    record Finished(InstanceStatus status) implements Effect {}
}

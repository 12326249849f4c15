package dev.sluice.workflows.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.workflows.InstanceStatus;
import dev.sluice.workflows.StepOptions;
import dev.sluice.workflows.internal.ErrorInfo;
import dev.sluice.workflows.internal.InstanceState;
import dev.sluice.workflows.internal.StepKind;
import dev.sluice.workflows.internal.StepValues;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;
import java.util.function.Function;

/** Instances in the field names and shapes of Cloudflare's Workflows REST API (v4). */
final class InstanceViews {
    /** Sluice has one version of a workflow: the class in the running jar. */
    static final String VERSION_ID = "00000000-0000-0000-0000-000000000001";

    private InstanceViews() {}

    static String time(Long millis) {
        return millis == null ? null : Instant.ofEpochMilli(millis).toString();
    }

    static String workflowId(String workflow) {
        return UUID.nameUUIDFromBytes(("sluice-workflow:" + workflow).getBytes(StandardCharsets.UTF_8))
                .toString();
    }

    /** The answer to a create: id, status, version and workflow ids. */
    static ObjectNode created(String workflow, String id, InstanceStatus status, String trigger) {
        return StepValues.JSON
                .createObjectNode()
                .put("id", id)
                .put("status", status.wireName())
                .put("version_id", VERSION_ID)
                .put("workflow_id", workflowId(workflow))
                .put("trigger_source", trigger);
    }

    /** One row of an instance list. */
    static ObjectNode summary(InstanceState s) {
        ObjectNode row = StepValues.JSON.createObjectNode();
        row.put("id", s.id());
        row.put("created_on", time(s.queuedAt()));
        row.put("started_on", time(s.startedAt()));
        row.put("ended_on", time(s.endedAt()));
        row.put("modified_on", time(s.modifiedAt()));
        row.put("status", s.status().wireName());
        row.put("version_id", VERSION_ID);
        row.put("workflow_id", workflowId(s.workflow()));
        row.put("trigger_source", s.trigger().wireName());
        return row;
    }

    /** The full instance, with every step; {@code results} gives a step's recorded output. */
    static ObjectNode detail(InstanceState s, boolean simple, Function<String, JsonNode> results) {
        ObjectNode out = StepValues.JSON.createObjectNode();
        out.put("status", s.status().wireName());
        out.set("params", s.params());
        out.putObject("trigger").put("source", s.trigger().wireName());
        out.put("versionId", VERSION_ID);
        out.put("queued", time(s.queuedAt()));
        out.put("start", time(s.startedAt()));
        out.put("end", time(s.endedAt()));
        if (s.status().isFinal()) {
            out.put("success", s.status() == InstanceStatus.COMPLETE);
        } else {
            out.putNull("success");
        }
        out.set("error", error(s.error()));
        out.set("output", s.output());
        out.putNull("rollback");
        out.put("step_count", s.steps().size());
        ArrayNode steps = out.putArray("steps");
        if (!simple) {
            for (InstanceState.StepInfo step : s.steps()) {
                steps.add(step(step, results));
            }
            if (s.status() == InstanceStatus.TERMINATED) {
                steps.addObject()
                        .put("type", "termination")
                        .putObject("trigger")
                        .put("source", "api");
            }
        }
        if (s.parent() != null) {
            out.putObject("parent")
                    .put("workflow", s.parent().workflow())
                    .put("id", s.parent().id());
        }
        return out;
    }

    private static ObjectNode step(InstanceState.StepInfo step, Function<String, JsonNode> results) {
        ObjectNode out = StepValues.JSON.createObjectNode();
        out.put("name", step.name());
        out.put("type", step.kind().wireName());
        out.put("start", time(step.start()));
        out.put("end", time(step.end()));
        boolean finished = step.end() != null;
        if (step.kind() == StepKind.STEP) {
            ArrayNode attempts = out.putArray("attempts");
            for (InstanceState.Attempt attempt : step.attempts()) {
                attempts.addObject()
                        .put("start", time(attempt.start()))
                        .put("end", time(attempt.end()))
                        .put("success", attempt.success())
                        .set("error", error(attempt.error()));
            }
            StepOptions options = step.options() == null ? StepOptions.DEFAULTS : step.options();
            ObjectNode config = out.putObject("config");
            config.putObject("retries")
                    .put("limit", options.retries())
                    .put("delay", options.delay().toMillis())
                    .put("backoff", options.backoff().wireName());
            config.put("timeout", options.timeout().toMillis());
            if (finished) {
                out.put("success", step.error() == null);
            } else {
                out.putNull("success");
            }
        } else {
            out.put("finished", finished);
        }
        if (step.kind() == StepKind.WAIT_FOR_EVENT) {
            out.put("event_type", step.eventType());
        }
        out.set("error", error(step.error()));
        if (finished && step.error() == null && step.kind() != StepKind.SLEEP) {
            out.set("output", results.apply(step.id()));
        } else if (step.kind() == StepKind.STEP) {
            out.putNull("output");
        }
        return out;
    }

    static JsonNode error(ErrorInfo error) {
        if (error == null) {
            return StepValues.JSON.nullNode();
        }
        return StepValues.JSON.createObjectNode().put("name", error.name()).put("message", error.message());
    }
}

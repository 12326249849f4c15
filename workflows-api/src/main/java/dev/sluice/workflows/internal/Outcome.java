package dev.sluice.workflows.internal;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.workflows.StepOptions;

/**
 * What one execution of an instance ended with: the first thing its replay reached that is not yet
 * recorded (a step attempt's result, a sleep, a wait, a child), or the end of {@code run}. The engine
 * records it; the next execution replays past it.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
@JsonSubTypes({
    @JsonSubTypes.Type(value = Outcome.StepSucceeded.class, name = "stepSucceeded"),
    @JsonSubTypes.Type(value = Outcome.StepAttemptFailed.class, name = "stepAttemptFailed"),
    @JsonSubTypes.Type(value = Outcome.SleepRequested.class, name = "sleep"),
    @JsonSubTypes.Type(value = Outcome.WaitRequested.class, name = "waitForEvent"),
    @JsonSubTypes.Type(value = Outcome.ChildRequested.class, name = "workflow"),
    @JsonSubTypes.Type(value = Outcome.Completed.class, name = "completed"),
    @JsonSubTypes.Type(value = Outcome.Errored.class, name = "errored")
})
public sealed interface Outcome {

    /** An attempt of {@code step.run} returned; its result is to be recorded. */
    record StepSucceeded(
            String stepId, String name, StepOptions options, int attempt, long start, long end, StepValue value)
            implements Outcome {}

    /**
     * An attempt of {@code step.run} failed.
     *
     * @param retryAt when the next attempt is due, or null when the step failed for good
     */
    record StepAttemptFailed(
            String stepId,
            String name,
            StepOptions options,
            int attempt,
            long start,
            long end,
            ErrorInfo error,
            Long retryAt)
            implements Outcome {}

    record SleepRequested(String stepId, String name, long start, long until) implements Outcome {}

    record WaitRequested(String stepId, String name, long start, String eventType, long timeoutAt) implements Outcome {}

    record ChildRequested(String stepId, String name, long start, String workflow, String childId, JsonNode params)
            implements Outcome {}

    /** {@code run} returned {@code output}. */
    record Completed(long end, JsonNode output) implements Outcome {}

    /** An exception escaped {@code run}, or the replay found the code no longer matches its history. */
    record Errored(long end, ErrorInfo error) implements Outcome {}
}

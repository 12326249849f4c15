package dev.sluice.workflows.internal;

/**
 * What the history holds for one step identity.
 *
 * @param kind     what it was recorded as
 * @param done     true when it finished (with a value or an error)
 * @param value    its result when it succeeded
 * @param error    why it failed for good, or timed out (waits)
 * @param attempts attempts made so far (steps)
 */
public record Recorded(StepKind kind, boolean done, StepValue value, ErrorInfo error, int attempts) {}

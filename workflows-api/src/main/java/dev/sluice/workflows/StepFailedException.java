package dev.sluice.workflows;

/**
 * Thrown by {@link WorkflowStep#run} when the step failed for good: its retries ran out, its body threw
 * {@link NonRetryableException}, or its result could not be recorded. Also thrown by
 * {@link WorkflowStep#runWorkflow} when the child instance errored or was terminated. The failure is
 * recorded, so a replay throws the same again without running the body. Catch it to compensate; left
 * uncaught it makes the instance {@code errored}.
 *
 * <pre>{@code
 * try {
 *     step.run("charge", () -> payments.charge(order));
 * } catch (StepFailedException e) {
 *     step.run("release stock", () -> inventory.release(order));
 *     throw e;
 * }
 * }</pre>
 */
public class StepFailedException extends RuntimeException {
    private final String step;

    public StepFailedException(String step, String message) {
        super("step '" + step + "' failed: " + message);
        this.step = step;
    }

    /** The name of the step that failed. */
    public String step() {
        return step;
    }
}

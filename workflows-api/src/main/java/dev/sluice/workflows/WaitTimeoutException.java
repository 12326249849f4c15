package dev.sluice.workflows;

/**
 * Thrown by {@link WorkflowStep#waitForEvent} when no event of the type arrived in time. Catch it to
 * take another path; left uncaught it makes the instance {@code errored}.
 *
 * <pre>{@code
 * try {
 *     JsonNode approval = step.waitForEvent("approval", "approval", Duration.ofDays(1));
 * } catch (WaitTimeoutException e) {
 *     step.run("escalate", () -> pager.page("order " + id + " was not approved"));
 * }
 * }</pre>
 */
public class WaitTimeoutException extends RuntimeException {
    public WaitTimeoutException(String message) {
        super(message);
    }
}

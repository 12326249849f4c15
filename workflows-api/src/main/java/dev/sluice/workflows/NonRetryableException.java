package dev.sluice.workflows;

/**
 * Thrown from a step body, fails the step at once, whatever its retry limit: for errors another
 * attempt cannot fix (a 4xx from an API, a record that does not exist).
 *
 * <pre>{@code
 * step.run("charge", () -> {
 *     Response r = payments.charge(order);
 *     if (r.status() == 402) {
 *         throw new NonRetryableException("card declined: " + r.body());
 *     }
 *     return r.id();
 * });
 * }</pre>
 */
public class NonRetryableException extends RuntimeException {
    public NonRetryableException(String message) {
        super(message);
    }

    public NonRetryableException(String message, Throwable cause) {
        super(message, cause);
    }
}

package dev.sluice.workflows;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * How a step is retried and how long one attempt may take. The defaults are Cloudflare's: 5 retries
 * (6 attempts), 1 s delay growing exponentially (1 s, 2 s, 4 s, …), 10 minutes per attempt.
 *
 * <pre>{@code
 * StepOptions payment = StepOptions.DEFAULTS.retries(3).delay(Duration.ofSeconds(30)).timeout(Duration.ofMinutes(2));
 * step.run("charge", payment, () -> payments.charge(order));
 * }</pre>
 *
 * @param retries how many times a failed attempt is retried (0 = one attempt only)
 * @param delay   the wait before the first retry
 * @param backoff how the wait grows with each retry
 * @param timeout the longest one attempt may run; a slower attempt counts as failed
 */
public record StepOptions(int retries, Duration delay, Backoff backoff, Duration timeout) {

    public static final StepOptions DEFAULTS =
            new StepOptions(5, Duration.ofSeconds(1), Backoff.EXPONENTIAL, Duration.ofMinutes(10));

    public StepOptions {
        if (retries < 0) {
            throw new IllegalArgumentException("retries must be 0 or more, was " + retries);
        }
        Objects.requireNonNull(delay, "delay");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative, was " + delay);
        }
        Objects.requireNonNull(backoff, "backoff");
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isZero() || timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        }
    }

    public StepOptions retries(int limit) {
        return new StepOptions(limit, delay, backoff, timeout);
    }

    public StepOptions delay(Duration first) {
        return new StepOptions(retries, first, backoff, timeout);
    }

    public StepOptions backoff(Backoff growth) {
        return new StepOptions(retries, delay, growth, timeout);
    }

    public StepOptions timeout(Duration perAttempt) {
        return new StepOptions(retries, delay, backoff, perAttempt);
    }

    /** The wait after failed attempt number {@code attempt} (1-based) before the next one. */
    public Duration delayAfter(int attempt) {
        long ms = delay.toMillis();
        long factor = switch (backoff) {
            case CONSTANT -> 1;
            case LINEAR -> attempt;
            case EXPONENTIAL -> 1L << Math.min(attempt - 1, 40);
        };
        return Duration.ofMillis(ms > Long.MAX_VALUE / factor ? Long.MAX_VALUE : ms * factor);
    }

    /** How the delay between retries grows. */
    public enum Backoff {
        CONSTANT,
        LINEAR,
        EXPONENTIAL;

        /** {@code constant}, {@code linear} or {@code exponential}, as the REST API writes it. */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}

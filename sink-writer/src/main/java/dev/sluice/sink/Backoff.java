package dev.sluice.sink;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The sink's one retry schedule: exponential from {@code initial}, capped at {@code max}, with "equal
 * jitter" (half fixed, half random) so that many batches failing together do not retry together.
 *
 * <pre>{@code
 * for (int failures = 1; ; failures++) {
 *     try { return upload(); } catch (SdkException e) { if (!Backoff.UPLOAD.sleep(failures)) throw e; }
 * }
 * }</pre>
 */
record Backoff(Duration initial, Duration max) {
    /** One upload attempt against the store: short first, since most failures are a blip. */
    static final Backoff UPLOAD = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(10));
    /** Starting a batch's encode-and-upload over, or the whole sink after it failed. */
    static final Backoff RESTART = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30));

    Backoff {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("a backoff needs 0 < initial <= max, was " + initial + ", " + max);
        }
    }

    /** The longest wait after the {@code failures}-th failure in a row (1 = the first): initial·2^(failures-1), at most max. */
    long ceilingMillis(int failures) {
        if (failures < 1) {
            throw new IllegalArgumentException("failures count from 1, was " + failures);
        }
        long initialMillis = initial.toMillis();
        int doublings = Math.min(failures - 1, 62 - (63 - Long.numberOfLeadingZeros(initialMillis)));
        return Math.min(initialMillis << doublings, max.toMillis());
    }

    /** The wait after the {@code failures}-th failure: between half the ceiling and the ceiling. */
    long delayMillis(int failures) {
        long ceiling = ceilingMillis(failures);
        return ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling - ceiling / 2 + 1);
    }

    /**
     * Waits {@link #delayMillis}. Returns false when interrupted: the wait ends early and the interrupt stays
     * set for the caller, who should stop retrying.
     */
    boolean sleep(int failures) {
        try {
            Thread.sleep(delayMillis(failures));
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}

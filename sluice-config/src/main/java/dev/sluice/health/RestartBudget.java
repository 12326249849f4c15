package dev.sluice.health;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * How often a failed part may be restarted in place before it is left stopped, for its process's health check
 * (and whatever restarts processes) to deal with: a failure after a broker died is worth a restart; the same
 * failure over and over is not.
 *
 * <pre>{@code
 * RestartBudget restarts = new RestartBudget(5, Duration.ofMinutes(10), Clock.systemUTC());
 * streams.setUncaughtExceptionHandler(e -> restarts.tryRestart() ? REPLACE_THREAD : SHUTDOWN_CLIENT);
 * }</pre>
 */
public final class RestartBudget {
    private final int restarts;
    private final Duration window;
    private final Clock clock;
    private final Deque<Instant> recent = new ArrayDeque<>();

    /** At most {@code restarts} within any {@code window}. */
    public RestartBudget(int restarts, Duration window, Clock clock) {
        if (restarts < 0) {
            throw new IllegalArgumentException("restarts must be 0 or more, was " + restarts);
        }
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("window must be positive, was " + window);
        }
        this.restarts = restarts;
        this.window = window;
        this.clock = clock;
    }

    /** Counts a failure; true when a restart is still within the budget. */
    public synchronized boolean tryRestart() {
        Instant now = clock.instant();
        while (!recent.isEmpty() && !recent.peekFirst().isAfter(now.minus(window))) {
            recent.removeFirst();
        }
        if (recent.size() >= restarts) {
            return false;
        }
        recent.addLast(now);
        return true;
    }

    /** For log lines: "5 restarts in PT10M". */
    @Override
    public String toString() {
        return restarts + " restarts in " + window;
    }
}

package dev.sluice.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class RestartBudgetTest {
    /** A clock the test moves. */
    private static final class ManualClock extends Clock {
        Instant now = Instant.parse("2026-11-28T08:00:00Z");

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void allowsTheBudgetThenRefusesUntilTheOldestFailureLeavesTheWindow() {
        ManualClock clock = new ManualClock();
        RestartBudget budget = new RestartBudget(2, Duration.ofMinutes(10), clock);
        assertTrue(budget.tryRestart());
        clock.now = clock.now.plusSeconds(60);
        assertTrue(budget.tryRestart());
        assertFalse(budget.tryRestart());
        // Refused failures do not count: the window still holds the first two.
        clock.now = clock.now.plus(Duration.ofMinutes(9));
        assertTrue(budget.tryRestart(), "the first failure is ten minutes old");
        assertFalse(budget.tryRestart());
        clock.now = clock.now.plus(Duration.ofMinutes(1));
        assertTrue(budget.tryRestart(), "the second failure is ten minutes old");
    }

    @Test
    void aZeroBudgetNeverRestartsAndBadArgumentsAreRefused() {
        assertFalse(new RestartBudget(0, Duration.ofMinutes(1), new ManualClock()).tryRestart());
        assertThrows(
                IllegalArgumentException.class, () -> new RestartBudget(-1, Duration.ofMinutes(1), new ManualClock()));
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> new RestartBudget(1, Duration.ZERO, new ManualClock()));
        assertEquals("window must be positive, was PT0S", e.getMessage());
    }
}

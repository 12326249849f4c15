package dev.sluice.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {
    @Test
    void doublesFromInitialUpToMax() {
        Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(10));
        assertEquals(100, b.ceilingMillis(1));
        assertEquals(200, b.ceilingMillis(2));
        assertEquals(6_400, b.ceilingMillis(7));
        assertEquals(10_000, b.ceilingMillis(8));
        assertEquals(10_000, b.ceilingMillis(1_000), "no overflow after many failures");
        assertEquals(10_000, b.ceilingMillis(Integer.MAX_VALUE));
    }

    @Test
    void aDelayIsBetweenHalfTheCeilingAndTheCeiling() {
        for (int failures = 1; failures < 12; failures++) {
            long ceiling = Backoff.RESTART.ceilingMillis(failures);
            for (int i = 0; i < 200; i++) {
                long delay = Backoff.RESTART.delayMillis(failures);
                assertTrue(delay >= ceiling / 2 && delay <= ceiling, failures + ": " + delay + " of " + ceiling);
            }
        }
    }

    @Test
    void refusesSchedulesThatMakeNoSense() {
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ZERO, Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> Backoff.UPLOAD.ceilingMillis(0));
    }

    @Test
    void anInterruptEndsTheWaitAndStaysSet() {
        Thread.currentThread().interrupt();
        try {
            assertEquals(false, Backoff.RESTART.sleep(30));
            assertTrue(Thread.currentThread().isInterrupted());
        } finally {
            Thread.interrupted();
        }
    }
}

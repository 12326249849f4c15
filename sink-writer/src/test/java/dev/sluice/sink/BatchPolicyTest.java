package dev.sluice.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.config.BatchConfig;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BatchPolicyTest {
    private final BatchPolicy policy = BatchPolicy.from(new BatchConfig(1000L, 10L, Duration.ofSeconds(10)));

    @Test
    void closesAtMaxRecords() {
        assertEquals(Optional.empty(), policy.sizeLimitReached(100, 9));
        assertEquals(Optional.of(CloseReason.RECORDS), policy.sizeLimitReached(100, 10));
    }

    @Test
    void closesAtMaxBytes() {
        assertEquals(Optional.empty(), policy.sizeLimitReached(999, 1));
        assertEquals(Optional.of(CloseReason.BYTES), policy.sizeLimitReached(1000, 1));
        assertEquals(Optional.of(CloseReason.BYTES), policy.sizeLimitReached(5000, 1));
    }

    @Test
    void recordsWinWhenBothLimitsAreReached() {
        assertEquals(Optional.of(CloseReason.RECORDS), policy.sizeLimitReached(1000, 10));
    }

    @Test
    void closesAtMaxDuration() {
        long opened = 1_000_000;
        assertFalse(policy.isExpired(opened, opened));
        assertFalse(policy.isExpired(opened, opened + 9_999));
        assertTrue(policy.isExpired(opened, opened + 10_000));
    }

    @Test
    void defaultsMatchTheDocumentedOnes() {
        BatchPolicy defaults = BatchPolicy.from(BatchConfig.DEFAULTS);
        assertEquals(100L << 20, defaults.maxBytes());
        assertEquals(100_000, defaults.maxRecords());
        assertEquals(300_000, defaults.maxAgeMillis());
    }
}

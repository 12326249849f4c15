package dev.sluice.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class UnitsTest {
    @Test
    void parsesSizes() {
        assertEquals(10L << 20, Units.parseBytes("10MB"));
        assertEquals(1000, Units.parseBytes("1000"));
        assertEquals(1L << 30, Units.parseBytes("1 gb"));
        assertEquals(512L << 10, Units.parseBytes("512KiB"));
        assertThrows(IllegalArgumentException.class, () -> Units.parseBytes("10XB"));
    }

    @Test
    void parsesDurations() {
        assertEquals(Duration.ofMillis(500), Units.parseDuration("500ms"));
        assertEquals(Duration.ofSeconds(30), Units.parseDuration("30s"));
        assertEquals(Duration.ofSeconds(10), Units.parseDuration("10"));
        assertEquals(Duration.ofHours(1), Units.parseDuration("1h"));
        assertEquals(Duration.ofDays(7), Units.parseDuration("7d"));
        assertThrows(IllegalArgumentException.class, () -> Units.parseDuration("7w"));
    }

    @Test
    void refusesValuesThatWouldOverflow() {
        // 2^34 GB is 2^64 bytes: a shift would silently wrap to 0.
        assertThrows(IllegalArgumentException.class, () -> Units.parseBytes("17179869184GB"));
        assertThrows(IllegalArgumentException.class, () -> Units.parseBytes("99999999999999999999"));
        assertThrows(IllegalArgumentException.class, () -> Units.parseDuration("9223372036854775807d"));
    }
}

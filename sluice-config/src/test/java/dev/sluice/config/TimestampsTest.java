package dev.sluice.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TimestampsTest {

    /** What java.time says, in epoch micros, or null: the reference the fast path must match. */
    private static Long reference(String text) {
        Instant instant;
        try {
            instant = Instant.parse(text);
        } catch (DateTimeParseException e) {
            try {
                instant = OffsetDateTime.parse(text).toInstant();
            } catch (DateTimeParseException e2) {
                return null;
            }
        }
        return instant.getEpochSecond() * 1_000_000L + instant.getNano() / 1000;
    }

    @Test
    void readsIsoTimestampsWithAZoneExactlyAsJavaTimeDoes() {
        List<String> cases = List.of(
                "2026-11-22T13:05:00Z",
                "2026-11-22T13:05:00.1Z",
                "2026-11-22T13:05:00.123456789Z",
                "2026-11-22T14:05:00+01:00",
                "2026-11-22T08:05:00.25-05:00",
                "1969-12-31T23:59:59.999Z",
                "2024-02-29T00:00:00Z",
                "2023-02-29T00:00:00Z",
                "2026-13-01T00:00:00Z",
                "2026-11-22T24:00:00Z",
                "2026-11-22T13:05:00",
                "2026-11-22 13:05:00Z",
                "2026-11-22T13:05Z",
                "2026-11-22T13:05:00.Z",
                "2026-11-22T13:05:00+0100",
                "0001-01-01T00:00:00Z",
                "9999-12-31T23:59:59Z",
                "hello world, not a time",
                "2026-11-22T13:05:00.1234567891Z",
                "2026-11-22T13:05:60Z");
        for (String text : cases) {
            assertEquals(reference(text), Timestamps.epochMicros(text), text);
        }
        assertEquals(1_795_352_700_000L, Timestamps.epochMillis("2026-11-22T13:05:00Z"));
        assertNull(Timestamps.epochMillis("13:05"));
    }

    @Test
    void agreesWithJavaTimeOnRandomInstantsAndOffsets() {
        Random random = new Random(7);
        for (int i = 0; i < 20_000; i++) {
            Instant instant = Instant.ofEpochSecond(random.nextLong() % 20_000_000_000L, random.nextInt(1_000_000_000));
            int offsetMinutes = (random.nextInt(28 * 60) - 14 * 60) / 15 * 15;
            String text = instant.atOffset(ZoneOffset.ofTotalSeconds(offsetMinutes * 60))
                    .toString();
            assertEquals(reference(text), Timestamps.epochMicros(text), text);
        }
    }
}

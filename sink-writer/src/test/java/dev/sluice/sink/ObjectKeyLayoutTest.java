package dev.sluice.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class ObjectKeyLayoutTest {
    private final ObjectKeyLayout layout = new ObjectKeyLayout("events");

    private static long at(String instant) {
        return Instant.parse(instant).toEpochMilli();
    }

    @Test
    void partitionIsTheUtcHour() {
        assertEquals("year=2026/month=11/day=22/hour=13", layout.partition(at("2026-11-22T13:05:00Z")));
        assertEquals("year=2026/month=11/day=22/hour=13", layout.partition(at("2026-11-22T13:59:59.999Z")));
        assertEquals("year=2026/month=11/day=22/hour=14", layout.partition(at("2026-11-22T14:00:00Z")));
        assertEquals("year=2027/month=01/day=01/hour=00", layout.partition(at("2027-01-01T00:00:00Z")));
        assertEquals("year=1969/month=12/day=31/hour=23", layout.partition(at("1969-12-31T23:30:00Z")));
        assertEquals("year=0999/month=03/day=04/hour=05", layout.partition(at("0999-03-04T05:06:07Z")));
    }

    @Test
    void keyJoinsPrefixPartitionAndFileName() {
        assertEquals("events/year=2026/month=11/day=22/hour=13/01JDQ4ZP3D0000000000000000.json.gz",
                layout.key("year=2026/month=11/day=22/hour=13", "01JDQ4ZP3D0000000000000000", ".json.gz"));
        assertEquals("year=2026/month=11/day=22/hour=13/x.json",
                new ObjectKeyLayout("").key("year=2026/month=11/day=22/hour=13", "x", ".json"));
        assertEquals("raw/events/p/x.json", new ObjectKeyLayout("raw/events").key("p", "x", ".json"));
    }
}

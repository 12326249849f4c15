package dev.sluice.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sluice.config.ConfigLoader;
import dev.sluice.config.SinkConfig;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ObjectKeyLayoutTest {
    private static final long INGEST = at("2026-11-22T13:05:00Z");

    private static long at(String instant) {
        return Instant.parse(instant).toEpochMilli();
    }

    private static ObjectKeyLayout layout(String sinkYaml) {
        SinkConfig sink = new ConfigLoader(Map.of())
                .parse("pipelines: [{name: events, sink: " + sinkYaml + "}]")
                .pipelines()
                .get(0)
                .sink();
        return new ObjectKeyLayout(sink);
    }

    private static byte[] json(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private final ObjectKeyLayout hourly = layout("{}");

    @Test
    void defaultPartitionIsTheUtcHourOfIngest() {
        assertEquals(
                "year=2026/month=11/day=22/hour=13",
                hourly.partition(INGEST, json("{\"ts\":\"2020-01-01T00:00:00Z\"}")));
        assertEquals("year=2026/month=11/day=22/hour=13", hourly.timePartition(at("2026-11-22T13:59:59.999Z")));
        assertEquals("year=2026/month=11/day=22/hour=14", hourly.timePartition(at("2026-11-22T14:00:00Z")));
        assertEquals("year=2027/month=01/day=01/hour=00", hourly.timePartition(at("2027-01-01T00:00:00Z")));
        assertEquals("year=1969/month=12/day=31/hour=23", hourly.timePartition(at("1969-12-31T23:30:00Z")));
    }

    @Test
    void timePartitionPatternIsConfigurable() {
        ObjectKeyLayout daily = layout("{timePartition: 'dt=%Y-%m-%d'}");
        assertEquals("dt=2026-11-22", daily.timePartition(INGEST));
        ObjectKeyLayout minutes = layout("{timePartition: 'date=%Y%m%d/hm=%H%M'}");
        assertEquals("date=20261122/hm=1305", minutes.timePartition(INGEST));
        assertEquals("date=20261122/hm=1306", minutes.timePartition(INGEST + 60_000));
    }

    @Test
    void eventTimeComesFromTheTimestampFieldWhenReadable() {
        ObjectKeyLayout byEvent = layout("{timestampField: ts}");
        assertEquals(
                "year=2025/month=03/day=04/hour=05",
                byEvent.partition(INGEST, json("{\"ts\":\"2025-03-04T05:06:07Z\"}")));
        assertEquals(
                "year=2025/month=03/day=04/hour=04",
                byEvent.partition(INGEST, json("{\"ts\":\"2025-03-04T05:06:07+01:00\"}")));
        assertEquals(
                "year=2025/month=03/day=04/hour=05",
                byEvent.partition(INGEST, json("{\"x\":{\"ts\":1},\"ts\":" + at("2025-03-04T05:06:07Z") + "}")));
        // missing, unreadable or wrongly typed: the ingest time
        assertEquals("year=2026/month=11/day=22/hour=13", byEvent.partition(INGEST, json("{\"other\":1}")));
        assertEquals("year=2026/month=11/day=22/hour=13", byEvent.partition(INGEST, json("{\"ts\":\"yesterday\"}")));
        assertEquals("year=2026/month=11/day=22/hour=13", byEvent.partition(INGEST, json("{\"ts\":true}")));
    }

    @Test
    void fieldPartitionsComeFirstAndAreEscaped() {
        ObjectKeyLayout byMerchant = layout("{partitionBy: [merchantId, region]}");
        assertEquals(
                "merchantId=42/region=eu/year=2026/month=11/day=22/hour=13",
                byMerchant.partition(INGEST, json("{\"region\":\"eu\",\"merchantId\":42}")));
        assertEquals(
                "merchantId=__null__/region=__null__/year=2026/month=11/day=22/hour=13",
                byMerchant.partition(INGEST, json("{\"merchantId\":null,\"region\":\"\"}")));
        assertEquals(
                "merchantId=a%2Fb%3Dc%25d/region=%7B%22x%22%3A1}/year=2026/month=11/day=22/hour=13",
                byMerchant.partition(INGEST, json("{\"merchantId\":\"a/b=c%d\",\"region\":{\"x\":1}}")));
        assertEquals(
                "merchantId=caf\u00e9 ok/region=__null__/year=2026/month=11/day=22/hour=13",
                byMerchant.partition(INGEST, json("{\"merchantId\":\"caf\u00e9 ok\"}")));
        assertEquals(
                "merchantId=7",
                layout("{partitionBy: [merchantId], timePartition: ''}").partition(INGEST, json("{\"merchantId\":7}")));
    }

    @Test
    void escapingCoversHiveSpecialCharacters() {
        assertEquals("plain-value_1.2", ObjectKeyLayout.escape("plain-value_1.2"));
        assertEquals(
                "%2F%3D%25%23%3F%3A%2A%22%27%5C%7B%5B%5D%5E%7F%0A", ObjectKeyLayout.escape("/=%#?:*\"'\\{[]^\u007F\n"));
    }

    @Test
    void keyJoinsPrefixPartitionAndFileName() {
        assertEquals(
                "events/year=2026/month=11/day=22/hour=13/01JDQ4ZP3D0000000000000000.json.gz",
                hourly.key("year=2026/month=11/day=22/hour=13", "01JDQ4ZP3D0000000000000000", ".json.gz"));
        assertEquals("raw/x.json", layout("{prefix: raw, timePartition: ''}").key("", "x", ".json"));
    }
}

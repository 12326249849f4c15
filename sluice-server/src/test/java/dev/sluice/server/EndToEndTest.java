package dev.sluice.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.f4b6a3.ulid.Ulid;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.s3.model.S3Object;

/** The walking skeleton end to end: HTTP → real Kafka → (processor) → sink → real S3-compatible store → DuckDB. */
class EndToEndTest {
    private static final Pattern KEY = Pattern.compile(
            "(?<prefix>[a-z]+)/year=(?<y>\\d{4})/month=(?<m>\\d{2})/day=(?<d>\\d{2})/hour=(?<h>\\d{2})/(?<name>[0-9A-Z]{26})\\.json\\.gz");
    private static final Duration LANDING_DEADLINE = Duration.ofSeconds(90);

    @RegisterExtension
    static final StackExtension running = new StackExtension("""
                        pipelines:
                          - name: events
                            partitions: 2
                            sink: { batch: { maxRecords: 3000, maxDuration: 2s } }
                          - name: tagged
                            partitions: 1
                            transforms:
                              - label: drop-anonymous
                                class: dev.sluice.server.DropAnonymousAndTag
                                config: { tag: e2e }
                            sink: { batch: { maxDuration: 1s } }
                          - name: strict
                            partitions: 1
                            sink: { batch: { maxDuration: 1s } }
                          - name: queried
                            partitions: 2
                            sink: { batch: { maxRecords: 400, maxDuration: 1s } }
                        """);

    static Instant started;

    @BeforeAll
    static void start() {
        started = Instant.now();
    }

    private static String record(String id, String user) {
        return "{\"id\":\"" + id + "\",\"user\":" + (user == null ? "null" : "\"" + user + "\"")
                + ",\"ts\":\"2026-11-22T13:05:00Z\",\"payload\":\"" + "x".repeat(40) + "\"}";
    }

    @Test
    void tenThousandRecordsLandExactlyOnceInHivePartitionedUlidObjects() {
        List<String> sent = new ArrayList<>();
        for (int request = 0; request < 10; request++) {
            List<String> batch = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                String id = "e-" + (request * 1000 + i);
                sent.add(id);
                batch.add(record(id, "u" + (i % 7)));
            }
            TestStack.postAcked(running.stack(), "events", batch);
        }

        await().atMost(LANDING_DEADLINE)
                .pollInterval(Duration.ofMillis(500))
                .until(() ->
                        TestStack.allRecords(running.s3(), "sluice", "events").size() >= sent.size());

        List<S3Object> objects = TestStack.objects(running.s3(), "sluice", "events");
        Map<String, Integer> seen = new HashMap<>();
        for (S3Object object : objects) {
            Matcher key = KEY.matcher(object.key());
            assertTrue(key.matches(), "key does not follow the layout: " + object.key());
            assertEquals("events", key.group("prefix"));
            assertTrue(Ulid.isValid(key.group("name")), "not a ULID: " + key.group("name"));
            assertTrue(
                    hoursOfThisTest().contains(key.group("y") + key.group("m") + key.group("d") + key.group("h")),
                    "partition is not the ingest hour: " + object.key());
            for (JsonNode r : TestStack.records(running.s3(), "sluice", object.key())) {
                seen.merge(r.get("id").asText(), 1, Integer::sum);
            }
        }
        assertEquals(Set.copyOf(sent), seen.keySet(), "ids lost or invented");
        Map<String, Integer> duplicated = seen.entrySet().stream()
                .filter(e -> e.getValue() != 1)
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        assertEquals(Map.of(), duplicated, "ids written more than once");
        assertTrue(objects.size() >= 4, "3000-record batches should give at least 4 objects, got " + objects.size());
    }

    @Test
    void duckDbQueriesTheBucketFolderWithHivePartitions() throws Exception {
        List<String> batch = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            batch.add(record("q-" + i, "u" + (i % 3)));
        }
        TestStack.postAcked(running.stack(), "queried", batch);
        await().atMost(LANDING_DEADLINE)
                .pollInterval(Duration.ofMillis(500))
                .until(() ->
                        TestStack.allRecords(running.s3(), "sluice", "queried").size() >= 1000);

        Map<String, Long> expectedPerHour = new TreeMap<>();
        for (S3Object object : TestStack.objects(running.s3(), "sluice", "queried")) {
            Matcher key = KEY.matcher(object.key());
            assertTrue(key.matches(), object.key());
            String hour = Integer.parseInt(key.group("y")) + "-" + Integer.parseInt(key.group("m")) + "-"
                    + Integer.parseInt(key.group("d")) + "-" + Integer.parseInt(key.group("h"));
            expectedPerHour.merge(
                    hour,
                    (long) TestStack.records(running.s3(), "sluice", object.key())
                            .size(),
                    Long::sum);
        }

        Path folder = running.dataDir().resolve("s3").resolve("sluice").resolve("queried");
        Path extensions = running.dataDir().resolve("duckdb-extensions");
        try (Connection db = DriverManager.getConnection("jdbc:duckdb:")) {
            try (Statement st = db.createStatement()) {
                st.execute("SET extension_directory = '" + extensions + "'");
            }
            String source = "read_json_auto('" + folder + "/**/*.json.gz', hive_partitioning = true)";
            try (Statement st = db.createStatement();
                    ResultSet rs = st.executeQuery("SELECT count(*), count(DISTINCT id) FROM " + source)) {
                rs.next();
                assertEquals(1000, rs.getLong(1));
                assertEquals(1000, rs.getLong(2));
            }
            Map<String, Long> perHour = new TreeMap<>();
            try (Statement st = db.createStatement();
                    // DuckDB types a partition column as text when a value has a leading zero (hour=00):
                    // cast, as a user would, so the test passes at any hour of any day.
                    ResultSet rs = st.executeQuery("SELECT CAST(year AS INTEGER), CAST(month AS INTEGER),"
                            + " CAST(day AS INTEGER), CAST(hour AS INTEGER), count(*) FROM "
                            + source + " GROUP BY ALL ORDER BY ALL")) {
                while (rs.next()) {
                    perHour.put(
                            rs.getLong(1) + "-" + rs.getLong(2) + "-" + rs.getLong(3) + "-" + rs.getLong(4),
                            rs.getLong(5));
                }
            }
            assertEquals(expectedPerHour, perHour);
        }
    }

    @Test
    void configuredTransformShapesTheOutput() {
        TestStack.postAcked(
                running.stack(),
                "tagged",
                List.of(
                        record("t-1", "u1"),
                        record("t-2", null),
                        record("t-3", "u3"),
                        "{\"id\":\"t-4\"}",
                        record("t-5", "u5")));

        await().atMost(LANDING_DEADLINE)
                .pollInterval(Duration.ofMillis(500))
                .until(() ->
                        TestStack.allRecords(running.s3(), "sluice", "tagged").size() >= 3);

        List<JsonNode> out = TestStack.allRecords(running.s3(), "sluice", "tagged");
        assertEquals(
                Set.of("t-1", "t-3", "t-5"),
                out.stream().map(r -> r.get("id").asText()).collect(Collectors.toSet()));
        assertEquals(3, out.size());
        out.forEach(r -> assertEquals("e2e", r.get("tagged").asText(), r.toString()));
    }

    @Test
    void badInputIsRefusedWithAJsonErrorAndWritesNothing() throws Exception {
        HttpResponse<String> notObjects =
                TestStack.post(running.stack(), "strict", "[{\"id\":\"ok\"}, 5, {\"id\":\"also-ok\"}]");
        assertEquals(400, notObjects.statusCode());
        assertEquals(
                "{\"success\":false,\"error\":{\"code\":\"invalid_json\","
                        + "\"message\":\"record 1 is a number, not a JSON object\",\"index\":1}}",
                notObjects.body());
        assertTrue(notObjects.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));

        HttpResponse<String> broken = TestStack.post(running.stack(), "strict", "[{\"id\":\"ok\"}, {\"id\": ");
        assertEquals(400, broken.statusCode());
        assertTrue(broken.body().contains("\"index\":1"), broken.body());

        HttpResponse<String> unknown = TestStack.post(running.stack(), "nope", "{\"id\":\"x\"}");
        assertEquals(404, unknown.statusCode());
        assertTrue(unknown.body().contains("\"code\":\"unknown_pipeline\""), unknown.body());

        assertEquals(0, endOffset("strict"), "a refused request must not write to Kafka");

        TestStack.postAcked(running.stack(), "strict", List.of("{\"id\":\"good\"}"));
        await().atMost(LANDING_DEADLINE)
                .until(() ->
                        !TestStack.committedValues(running.stack(), "strict").isEmpty());
        assertEquals(List.of("{\"id\":\"good\"}"), TestStack.committedValues(running.stack(), "strict"));
        await().atMost(LANDING_DEADLINE)
                .pollInterval(Duration.ofMillis(500))
                .until(() ->
                        !TestStack.allRecords(running.s3(), "sluice", "strict").isEmpty());
        List<JsonNode> out = TestStack.allRecords(running.s3(), "sluice", "strict");
        assertEquals(
                List.of("good"), out.stream().map(r -> r.get("id").asText()).toList());
    }

    @Test
    void healthzReportsKafkaStorageAndEachSinkAndProcessor() {
        HttpResponse<String> health = TestStack.get(running.stack(), "/healthz");
        assertEquals(200, health.statusCode(), health.body());
        assertEquals(
                "{\"checks\":{\"kafka\":\"ok\",\"storage\":\"ok\",\"sink/events\":\"ok\",\"sink/tagged\":\"ok\","
                        + "\"sink/strict\":\"ok\",\"sink/queried\":\"ok\",\"processor/events\":\"ok\","
                        + "\"processor/tagged\":\"ok\",\"processor/strict\":\"ok\",\"processor/queried\":\"ok\"},"
                        + "\"status\":\"ok\"}",
                health.body());
    }

    private static long endOffset(String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                running.stack().config().kafka().bootstrapServers()))) {
            Map<TopicPartition, OffsetSpec> request = new HashMap<>();
            admin.describeTopics(List.of(topic))
                    .allTopicNames()
                    .get(30, TimeUnit.SECONDS)
                    .get(topic)
                    .partitions()
                    .forEach(p -> request.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
            return admin.listOffsets(request).all().get(30, TimeUnit.SECONDS).values().stream()
                    .mapToLong(info -> info.offset())
                    .sum();
        }
    }

    /** The UTC hours (yyyyMMddHH) between the start of this test class and now. */
    private static Set<String> hoursOfThisTest() {
        Set<String> hours = new java.util.HashSet<>();
        ZonedDateTime t = started.atZone(ZoneOffset.UTC).truncatedTo(ChronoUnit.HOURS);
        ZonedDateTime end = Instant.now().atZone(ZoneOffset.UTC);
        while (!t.isAfter(end)) {
            hours.add(
                    String.format("%04d%02d%02d%02d", t.getYear(), t.getMonthValue(), t.getDayOfMonth(), t.getHour()));
            t = t.plusHours(1);
        }
        return hours;
    }
}

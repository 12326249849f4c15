package dev.sluice.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.wire.SluiceHeaders;
import dev.sluice.wire.Topics;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.model.S3Object;

/** Event-time and field partitions end to end, read back by DuckDB as columns. */
class LayoutTest {
    @TempDir
    Path dataDir;

    @Test
    void eventTimeAndFieldPartitionsAreFoldersDuckDbReadsAsColumns() throws Exception {
        try (TestStack.Running running = TestStack.Running.start(dataDir, """
                pipelines:
                  - name: orders
                    partitions: 2
                    sink:
                      timestampField: ts
                      partitionBy: [merchantId]
                      batch: { maxDuration: 1s }
                """)) {
            TestStack.postAcked(
                    running.stack(),
                    "orders",
                    List.of(
                            "{\"id\":\"o1\",\"merchantId\":1,\"ts\":\"2025-03-04T05:06:07Z\"}",
                            "{\"id\":\"o2\",\"merchantId\":1,\"ts\":\"2025-03-04T05:59:59Z\"}",
                            "{\"id\":\"o3\",\"merchantId\":2,\"ts\":1741064767000}",
                            "{\"id\":\"o4\",\"merchantId\":\"a/b\",\"ts\":\"2025-03-04T07:00:00+01:00\"}",
                            "{\"id\":\"o5\",\"ts\":\"2025-03-04T05:00:00Z\"}"));
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> TestStack.allRecords(running.s3(), "sluice", "orders")
                                    .size()
                            >= 5);

            Map<String, List<String>> idsByFolder = new TreeMap<>();
            for (S3Object object : TestStack.objects(running.s3(), "sluice", "orders")) {
                String folder = object.key().substring(0, object.key().lastIndexOf('/'));
                TestStack.records(running.s3(), "sluice", object.key())
                        .forEach(r -> idsByFolder
                                .computeIfAbsent(folder, f -> new java.util.ArrayList<>())
                                .add(r.get("id").asText()));
            }
            idsByFolder.values().forEach(java.util.Collections::sort);
            assertEquals(
                    Map.of(
                            "orders/merchantId=1/year=2025/month=03/day=04/hour=05", List.of("o1", "o2"),
                            "orders/merchantId=2/year=2025/month=03/day=04/hour=05", List.of("o3"),
                            "orders/merchantId=a%2Fb/year=2025/month=03/day=04/hour=06", List.of("o4"),
                            "orders/merchantId=__null__/year=2025/month=03/day=04/hour=05", List.of("o5")),
                    idsByFolder);

            Path folder = dataDir.resolve("s3/sluice/orders");
            try (Connection db = DriverManager.getConnection("jdbc:duckdb:")) {
                try (Statement st = db.createStatement()) {
                    st.execute("SET extension_directory = '" + dataDir.resolve("duckdb-extensions") + "'");
                }
                Map<String, String> merchantById = new TreeMap<>();
                try (Statement st = db.createStatement();
                        ResultSet rs = st.executeQuery(
                                "SELECT id, CAST(merchantId AS VARCHAR), year, hour FROM read_json_auto('" + folder
                                        + "/**/*.json.gz', hive_partitioning = true) ORDER BY id")) {
                    while (rs.next()) {
                        merchantById.put(rs.getString(1), rs.getString(2) + "@" + rs.getLong(3) + "-" + rs.getLong(4));
                    }
                }
                // DuckDB undoes the Hive escaping: the folder merchantId=a%2Fb reads as "a/b".
                assertEquals(
                        Map.of(
                                "o1",
                                "1@2025-5",
                                "o2",
                                "1@2025-5",
                                "o3",
                                "2@2025-5",
                                "o4",
                                "a/b@2025-6",
                                "o5",
                                "__null__@2025-5"),
                        merchantById);
            }
        }
    }

    @Test
    void parquetOutputIsTypedAndPartitionedForDuckDb() throws Exception {
        try (TestStack.Running running = TestStack.Running.start(dataDir, """
                pipelines:
                  - name: payments
                    partitions: 2
                    schema:
                      fields:
                        - { name: id, type: string, required: true }
                        - { name: amount, type: float64 }
                        - { name: ts, type: timestamp }
                        - { name: card, type: struct, fields: [ { name: brand, type: string } ] }
                    sink:
                      format: parquet
                      timestampField: ts
                      partitionBy: [merchantId]
                      batch: { maxDuration: 1s }
                  - name: clicks
                    partitions: 1
                    schema: infer
                    sink: { format: parquet, compression: snappy, batch: { maxDuration: 1s } }
                """)) {
            TestStack.postAcked(
                    running.stack(),
                    "payments",
                    List.of(
                            "{\"id\":\"p1\",\"merchantId\":7,\"amount\":10.5,\"ts\":\"2025-03-04T05:06:07Z\",\"card\":{\"brand\":\"visa\"}}",
                            "{\"id\":\"p2\",\"merchantId\":7,\"amount\":2,\"ts\":\"2025-03-04T06:00:00Z\"}",
                            "{\"id\":\"p3\",\"merchantId\":8,\"amount\":1.25,\"ts\":1741064767000}"));
            TestStack.postAcked(
                    running.stack(),
                    "clicks",
                    List.of(
                            "{\"id\":\"c1\",\"page\":\"/\",\"at\":\"2026-11-22T13:05:00Z\"}",
                            "{\"id\":\"c2\",\"page\":\"/buy\",\"ms\":12}"));
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> TestStack.objects(running.s3(), "sluice", "payments")
                                            .size()
                                    == 3
                            && TestStack.objects(running.s3(), "sluice", "clicks")
                                            .size()
                                    == 1);
            List<String> keys = TestStack.objects(running.s3(), "sluice", "payments").stream()
                    .map(o -> o.key().substring(0, o.key().lastIndexOf('/') + 1) + "*"
                            + o.key().substring(o.key().lastIndexOf('.')))
                    .sorted()
                    .toList();
            assertEquals(
                    List.of(
                            "payments/merchantId=7/year=2025/month=03/day=04/hour=05/*.parquet",
                            "payments/merchantId=7/year=2025/month=03/day=04/hour=06/*.parquet",
                            "payments/merchantId=8/year=2025/month=03/day=04/hour=05/*.parquet"),
                    keys);

            try (Connection db = DriverManager.getConnection("jdbc:duckdb:")) {
                try (Statement st = db.createStatement()) {
                    st.execute("SET extension_directory = '" + dataDir.resolve("duckdb-extensions") + "'");
                }
                String payments = "read_parquet('" + dataDir.resolve("s3/sluice/payments")
                        + "/**/*.parquet', hive_partitioning = true)";
                Map<String, String> types = new TreeMap<>();
                try (Statement st = db.createStatement();
                        ResultSet rs = st.executeQuery("DESCRIBE SELECT * FROM " + payments)) {
                    while (rs.next()) {
                        types.put(rs.getString("column_name"), rs.getString("column_type"));
                    }
                }
                assertEquals("TIMESTAMP WITH TIME ZONE", types.get("ts"));
                assertEquals("DOUBLE", types.get("amount"));
                assertEquals("STRUCT(brand VARCHAR)", types.get("card"));
                assertEquals("BIGINT", types.get("merchantId"), "the Hive folder is a column");
                try (Statement st = db.createStatement();
                        ResultSet rs = st.executeQuery(
                                "SELECT merchantId, count(*), sum(amount), min(epoch_ms(ts)), max(hour) FROM "
                                        + payments + " GROUP BY merchantId ORDER BY merchantId")) {
                    assertTrue(rs.next());
                    assertEquals(
                            "7|2|12.5|1741064767000|6",
                            rs.getLong(1) + "|" + rs.getLong(2) + "|" + rs.getDouble(3) + "|" + rs.getLong(4) + "|"
                                    + rs.getLong(5));
                    assertTrue(rs.next());
                    assertEquals(
                            "8|1|1.25|1741064767000|5",
                            rs.getLong(1) + "|" + rs.getLong(2) + "|" + rs.getDouble(3) + "|" + rs.getLong(4) + "|"
                                    + rs.getLong(5));
                    assertTrue(!rs.next());
                }
                String clicks = "read_parquet('" + dataDir.resolve("s3/sluice/clicks")
                        + "/**/*.parquet', hive_partitioning = true)";
                try (Statement st = db.createStatement();
                        ResultSet rs = st.executeQuery(
                                "SELECT id, page, typeof(\"at\"), ms, year FROM " + clicks + " ORDER BY id")) {
                    assertTrue(rs.next());
                    assertEquals(
                            "c1 / TIMESTAMP WITH TIME ZONE 0",
                            rs.getString(1) + " " + rs.getString(2) + " " + rs.getString(3) + " " + rs.getLong(4));
                    assertTrue(rs.getLong(5) >= 2026, "ingest-time year folder");
                    assertTrue(rs.next());
                    assertEquals("c2 /buy 12", rs.getString(1) + " " + rs.getString(2) + " " + rs.getLong(4));
                }
            }

            // The inferred column ms is int64 now: a later "slow" cannot be coerced and goes to the DLQ with the
            // reason.
            TestStack.postAcked(
                    running.stack(), "clicks", List.of("{\"id\":\"c3\",\"ms\":\"slow\"}", "{\"id\":\"c4\",\"ms\":5}"));
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() ->
                            TestStack.objects(running.s3(), "sluice", "clicks").size() == 2);
            var dead = TestStack.readCommitted(running.stack(), Topics.deadLetters("clicks"));
            assertEquals(1, dead.size());
            assertEquals(
                    "{\"id\":\"c3\",\"ms\":\"slow\"}",
                    new String(dead.get(0).value(), java.nio.charset.StandardCharsets.UTF_8));
            assertEquals("parquet", TestStack.header(dead.get(0), SluiceHeaders.ERROR_STAGE));
            assertEquals(
                    "field 'ms' is int64 in the Parquet schema; string \"slow\" does not fit",
                    TestStack.header(dead.get(0), SluiceHeaders.ERROR_MESSAGE));
        }
    }
}

package dev.sluice.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
            TestStack.postAcked(running.stack(), "orders", List.of(
                    "{\"id\":\"o1\",\"merchantId\":1,\"ts\":\"2025-03-04T05:06:07Z\"}",
                    "{\"id\":\"o2\",\"merchantId\":1,\"ts\":\"2025-03-04T05:59:59Z\"}",
                    "{\"id\":\"o3\",\"merchantId\":2,\"ts\":1741064767000}",
                    "{\"id\":\"o4\",\"merchantId\":\"a/b\",\"ts\":\"2025-03-04T07:00:00+01:00\"}",
                    "{\"id\":\"o5\",\"ts\":\"2025-03-04T05:00:00Z\"}"));
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .until(() -> TestStack.allRecords(running.s3(), "sluice", "orders").size() >= 5);

            Map<String, List<String>> idsByFolder = new TreeMap<>();
            for (S3Object object : TestStack.objects(running.s3(), "sluice", "orders")) {
                String folder = object.key().substring(0, object.key().lastIndexOf('/'));
                TestStack.records(running.s3(), "sluice", object.key())
                        .forEach(r -> idsByFolder.computeIfAbsent(folder, f -> new java.util.ArrayList<>()).add(r.get("id").asText()));
            }
            idsByFolder.values().forEach(java.util.Collections::sort);
            assertEquals(Map.of(
                    "orders/merchantId=1/year=2025/month=03/day=04/hour=05", List.of("o1", "o2"),
                    "orders/merchantId=2/year=2025/month=03/day=04/hour=05", List.of("o3"),
                    "orders/merchantId=a%2Fb/year=2025/month=03/day=04/hour=06", List.of("o4"),
                    "orders/merchantId=__null__/year=2025/month=03/day=04/hour=05", List.of("o5")), idsByFolder);

            Path folder = dataDir.resolve("s3/sluice/orders");
            try (Connection db = DriverManager.getConnection("jdbc:duckdb:")) {
                try (Statement st = db.createStatement()) {
                    st.execute("SET extension_directory = '" + dataDir.resolve("duckdb-extensions") + "'");
                }
                Map<String, String> merchantById = new TreeMap<>();
                try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery(
                        "SELECT id, CAST(merchantId AS VARCHAR), year, hour FROM read_json_auto('" + folder
                                + "/**/*.json.gz', hive_partitioning = true) ORDER BY id")) {
                    while (rs.next()) {
                        merchantById.put(rs.getString(1), rs.getString(2) + "@" + rs.getLong(3) + "-" + rs.getLong(4));
                    }
                }
                // DuckDB undoes the Hive escaping: the folder merchantId=a%2Fb reads as "a/b".
                assertEquals(Map.of("o1", "1@2025-5", "o2", "1@2025-5", "o3", "2@2025-5", "o4", "a/b@2025-6",
                        "o5", "__null__@2025-5"), merchantById);
            }
        }
    }

}

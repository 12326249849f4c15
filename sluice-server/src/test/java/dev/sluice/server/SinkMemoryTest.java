package dev.sluice.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 1,000 output partitions open at once, holding more bytes than the sink's whole heap (256 MB): open
 * batches live in spool files, so the sink neither runs out of memory nor loses a record.
 */
class SinkMemoryTest {
    private static final int PARTITIONS = 1_000;
    private static final int RECORDS = 300_000;
    private static final String PIPELINES = """
            pipelines:
              - name: wide
                partitions: 2
                http: { maxRequestBytes: 5MB }
                sink:
                  partitionBy: [tenant]
                  batch: { maxRecords: 100000, maxBytes: 100MB, maxDuration: 25s }
            """;

    @TempDir
    Path dir;

    @Test
    void aThousandOpenPartitionsLargerThanTheHeapFitIn256MB() throws Exception {
        DevStack stack = DevStack.start(
                TestStack.config(PIPELINES),
                TestStack.freePorts(dir.resolve("stack")),
                Set.of(Role.INGEST, Role.PROCESSOR),
                written -> {});
        try (ChildProcess sink = ChildProcess.sink(PIPELINES, stack, dir)) {
            sink.start("-Xmx256m", "-XX:+ExitOnOutOfMemoryError");
            // ~1 KB of incompressible text per record: 300 MB in all, 300 KB per open batch.
            Random random = new Random(42);
            byte[] alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
                    .getBytes(StandardCharsets.US_ASCII);
            for (int request = 0; request < RECORDS / 1000; request++) {
                List<String> records = new ArrayList<>(1000);
                for (int i = 0; i < 1000; i++) {
                    int n = request * 1000 + i;
                    byte[] pad = new byte[1000];
                    for (int b = 0; b < pad.length; b++) {
                        pad[b] = alphabet[random.nextInt(alphabet.length)];
                    }
                    records.add("{\"id\":" + n + ",\"tenant\":" + (n % PARTITIONS) + ",\"pad\":\""
                            + new String(pad, StandardCharsets.US_ASCII) + "\"}");
                }
                TestStack.postAcked(stack, "wide", records);
            }
            Path output = stack.options().dataDir().resolve("s3/sluice/wide");
            await().atMost(Duration.ofSeconds(240))
                    .pollInterval(Duration.ofSeconds(2))
                    .until(() -> !sink.isAlive()
                            || (objects(output).size() >= PARTITIONS
                                    && ids(output).size() >= RECORDS));
            assertTrue(sink.isAlive(), "the sink died:\n" + sink.log());
            String log = sink.log();
            assertTrue(!log.contains("OutOfMemoryError"), log);

            List<Path> objects = objects(output);
            assertEquals(PARTITIONS, objects.size(), "one object per tenant: every batch was open at once");
            Map<Integer, Integer> counts = new HashMap<>();
            for (int id : ids(output)) {
                counts.merge(id, 1, Integer::sum);
            }
            assertEquals(RECORDS, counts.size());
            assertTrue(counts.values().stream().allMatch(c -> c == 1), "a record appears twice");
        } finally {
            stack.close();
        }
    }

    private static List<Path> objects(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(folder)) {
            return files.filter(f -> f.toString().endsWith(".json.gz")).toList();
        }
    }

    private static List<Integer> ids(Path folder) throws IOException {
        List<Integer> ids = new ArrayList<>();
        for (Path object : objects(folder)) {
            OutputObjects.records(object)
                    .forEach(record -> ids.add(record.get("id").asInt()));
        }
        return ids;
    }
}

package dev.sluice.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Two sink processes share a pipeline under load: one joins, one leaves (SIGTERM), it comes back.
 * Each rebalance hands partitions over after the open batches are recorded, so the output holds every
 * acknowledged record exactly once.
 */
class SinkRebalanceTest {
    private static final String PIPELINES = """
            pipelines:
              - name: shared
                partitions: 4
                sink:
                  partitionBy: [k]
                  batch: { maxRecords: 300, maxDuration: 3s }
            """;

    @TempDir
    Path dir;

    @Test
    void partitionsMoveBetweenSinksWithoutLossOrDuplicates() throws Exception {
        DevStack stack = DevStack.start(TestStack.config(PIPELINES), TestStack.freePorts(dir.resolve("stack")),
                Set.of(Role.INGEST, Role.PROCESSOR), written -> {});
        try (S3Client s3 = TestStack.s3(stack);
             ChildProcess a = ChildProcess.sink(PIPELINES, stack, Files.createDirectories(dir.resolve("a")));
             ChildProcess b = ChildProcess.sink(PIPELINES, stack, Files.createDirectories(dir.resolve("b")))) {
            IngestLoad load = new IngestLoad(stack, "shared", 20, 40, "").start();
            a.start("-Xmx256m");
            await().atMost(Duration.ofSeconds(60)).until(() -> a.logOfThisRun().contains("wrote s3://"));

            b.start("-Xmx256m");
            await().atMost(Duration.ofSeconds(60)).until(() -> b.logOfThisRun().contains("wrote s3://"));

            assertTrue(a.stop(60), "a did not stop on SIGTERM");
            int beforeRejoin = b.log().split("wrote s3://", -1).length;
            await().atMost(Duration.ofSeconds(60)).until(() -> b.log().split("wrote s3://", -1).length > beforeRejoin + 4);

            a.start("-Xmx256m");
            await().atMost(Duration.ofSeconds(60)).until(() -> a.logOfThisRun().contains("wrote s3://"));
            load.close();

            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> TestStack.allRecords(s3, "sluice", "shared").size() >= load.acknowledged.size());
            assertTrue(a.stop(60) & b.stop(60), "the sinks did not stop on SIGTERM");
            // Three rebalances under load: open batches were recorded and written before partitions moved.
            assertTrue((a.log() + b.log()).contains("closed by rebalance"), "no batch was handed over by a rebalance");

            Map<String, Long> counts = TestStack.allRecords(s3, "sluice", "shared").stream()
                    .collect(Collectors.groupingBy(r -> r.get("id").asText(), Collectors.counting()));
            Map<String, Long> expected = new HashMap<>();
            load.acknowledged.forEach(id -> expected.put(id, 1L));
            assertEquals(Set.of(), load.refused);
            assertEquals(expected.size(), counts.size());
            assertEquals(expected, counts, "every acknowledged record exactly once");
        } finally {
            stack.close();
        }
    }
}

package dev.sluice.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.wire.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
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
        DevStack stack = DevStack.start(
                TestStack.config(PIPELINES),
                TestStack.freePorts(dir.resolve("stack")),
                Set.of(Role.INGEST, Role.PROCESSOR),
                written -> {});
        try (S3Client s3 = TestStack.s3(stack);
                ChildProcess a = ChildProcess.sink(PIPELINES, stack, Files.createDirectories(dir.resolve("a")));
                ChildProcess b = ChildProcess.sink(PIPELINES, stack, Files.createDirectories(dir.resolve("b")))) {
            IngestLoad load = new IngestLoad(stack, "shared", 20, 40, "").start();
            // Who wrote what, from the objects' notifications ("writtenBy" names the sink process).
            a.start("-Xmx256m");
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(POLL)
                    .until(() -> !objectsByWriter(stack).isEmpty());
            String aId = objectsByWriter(stack).keySet().iterator().next();

            b.start("-Xmx256m");
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(POLL)
                    .until(() -> objectsByWriter(stack).size() == 2);
            String bId = objectsByWriter(stack).keySet().stream()
                    .filter(id -> !id.equals(aId))
                    .findFirst()
                    .orElseThrow();

            assertTrue(a.stop(60), "a did not stop on SIGTERM");
            long bBefore = objectsByWriter(stack).get(bId);
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(POLL)
                    .until(() -> objectsByWriter(stack).get(bId) > bBefore + 4);

            long aBefore = objectsByWriter(stack).get(aId);
            a.start("-Xmx256m");
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(POLL)
                    .until(() -> objectsByWriter(stack).get(aId) > aBefore);
            load.close();

            await().atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> TestStack.allRecords(s3, "sluice", "shared").size() >= load.acknowledged.size());
            boolean aStopped = a.stop(60); // stop both, even when a does not
            boolean bStopped = b.stop(60);
            assertTrue(aStopped && bStopped, "the sinks did not stop on SIGTERM");
            // Three rebalances under load: open batches were recorded and written before partitions moved.
            assertTrue(
                    notifications(stack)
                            .anyMatch(n -> n.get("closedBy").asText().equals("rebalance")),
                    "no batch was handed over by a rebalance");

            assertEquals(Set.of(), load.refused);
            ExactlyOnce.assertEveryIdOnce(load.acknowledged, TestStack.allRecords(s3, "sluice", "shared"));
        } finally {
            stack.close();
        }
    }

    private static final Duration POLL = Duration.ofMillis(500);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Stream<JsonNode> notifications(DevStack stack) {
        return TestStack.committedValues(stack, Topics.NOTIFICATIONS).stream()
                .map(text -> {
                    try {
                        return JSON.readTree(text);
                    } catch (IOException e) {
                        throw new UncheckedIOException(text, e);
                    }
                })
                .filter(n -> n.get("pipeline").asText().equals("shared"));
    }

    /** Objects written so far, by the sink process that wrote them. */
    private static Map<String, Long> objectsByWriter(DevStack stack) {
        return notifications(stack)
                .collect(Collectors.groupingBy(n -> n.get("writtenBy").asText(), Collectors.counting()));
    }
}

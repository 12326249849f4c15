package dev.sluice.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.wire.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The sink runs as a child process under continuous load and is killed with kill -9 sixteen times: at
 * random moments, and (held there by the sink's crash points) exactly between recording a batch and
 * uploading it, and between uploading an object and confirming it. Afterwards every acknowledged
 * record is in exactly one object, and every object has a notification.
 */
class SinkChaosTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PIPELINES = """
            pipelines:
              - name: chaos
                partitions: 3
                sink:
                  partitionBy: [k]
                  batch: { maxRecords: 200, maxDuration: 2s }
            """;
    private static final int ROUNDS = 16;

    @TempDir
    Path dir;

    @Test
    void killedAtAnyMomentTheSinkStillWritesEveryAcknowledgedRecordExactlyOnce() throws Exception {
        long seed = System.nanoTime();
        LoggerFactory.getLogger(SinkChaosTest.class).info("chaos seed {}", seed);
        Random random = new Random(seed);
        DevStack stack = DevStack.start(
                TestStack.config(PIPELINES),
                TestStack.freePorts(dir.resolve("stack")),
                Set.of(Role.INGEST, Role.PROCESSOR),
                written -> {});
        try (S3Client s3 = TestStack.s3(stack);
                ChildProcess sink = ChildProcess.sink(PIPELINES, stack, dir)) {
            IngestLoad load = new IngestLoad(stack, "chaos", 20, 50, "").start();
            List<String> crashPoints = new ArrayList<>(); // as the sink reported reaching them
            for (int round = 0; round < ROUNDS; round++) {
                String point = switch (round % 4) {
                    case 0 -> "afterUpload";
                    case 1 -> "afterRecord";
                    default -> null;
                };
                if (point == null) {
                    sink.start("-Xmx256m");
                    // A random instant, measured in the load's progress (~360 records/s): 1.5 to 5 s in.
                    int killAt = load.acknowledged.size() + 540 + random.nextInt(1260);
                    await().atMost(Duration.ofSeconds(60))
                            .pollInterval(Duration.ofMillis(20))
                            .until(() -> load.acknowledged.size() >= killAt);
                } else {
                    Path marker = dir.resolve("crash-point-" + round);
                    sink.start(
                            "-Xmx256m",
                            "-Dsluice.sink.crashAt=" + point + ":" + (1 + random.nextInt(3)),
                            "-Dsluice.sink.crashReached=" + marker);
                    await().atMost(Duration.ofSeconds(90))
                            .pollInterval(Duration.ofMillis(50))
                            .until(() -> Files.exists(marker) || !sink.isAlive());
                    assertTrue(
                            Files.exists(marker), "the sink died before its crash point " + point + ":\n" + sink.log());
                    crashPoints.add(Files.readString(marker));
                }
                assertTrue(sink.isAlive(), sink.log());
                sink.kill();
            }
            load.close();
            assertTrue(load.acknowledged.size() > 5_000, "acknowledged " + load.acknowledged.size());

            sink.start("-Xmx256m");
            await().atMost(Duration.ofSeconds(180))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> TestStack.allRecords(s3, "sluice", "chaos").size() >= load.acknowledged.size());
            assertTrue(sink.stop(60), "the sink did not stop on SIGTERM");
            assertEquals(
                    ROUNDS / 4,
                    crashPoints.stream().filter("afterUpload"::equals).count(),
                    crashPoints.toString());
            assertEquals(
                    ROUNDS / 4,
                    crashPoints.stream().filter("afterRecord"::equals).count(),
                    crashPoints.toString());

            // A refused request may still have reached Kafka only if its response was lost; none should be.
            assertEquals(Set.of(), load.refused, "requests were refused during the test");
            ExactlyOnce.assertEveryIdOnce(load.acknowledged, TestStack.allRecords(s3, "sluice", "chaos"));

            List<S3Object> objects = TestStack.objects(s3, "sluice", "chaos");
            Map<String, List<JsonNode>> notifications = TestStack.committedValues(stack, Topics.NOTIFICATIONS).stream()
                    .map(SinkChaosTest::json)
                    .filter(n -> n.get("pipeline").asText().equals("chaos"))
                    .collect(Collectors.groupingBy(n -> n.at("/object/key").asText()));
            assertEquals(
                    objects.stream().map(S3Object::key).collect(Collectors.toSet()),
                    notifications.keySet(),
                    "every object has a notification, and every notification an object");
            assertTrue(
                    notifications.values().stream()
                            .flatMap(List::stream)
                            .anyMatch(n -> n.get("recovered").asBoolean()),
                    "no recorded batch was ever completed by the next life of the sink after a kill");
            for (S3Object object : objects) {
                long records = TestStack.records(s3, "sluice", object.key()).size();
                for (JsonNode n : notifications.get(object.key())) {
                    assertEquals(records, n.get("records").asLong(), n.toString());
                }
            }
        } finally {
            stack.close();
        }
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalStateException(text, e);
        }
    }
}

package dev.sluice.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.config.StorageConfig;
import dev.sluice.sink.S3Clients;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * kill -9 of a whole {@code sluice dev} under HTTP load, then a restart on the same data directory: no
 * transaction the dead process left open may hold the pipeline back. A record accepted right after the
 * restart lands within the batch interval (2 s here) + 5 s, and every acknowledged record lands once.
 */
class CrashRestartTest {
    private static final Duration BATCH_INTERVAL = Duration.ofSeconds(2);
    private static final Duration DEADLINE = Duration.ofMinutes(2);

    @TempDir
    Path dir;

    @Test
    void recordsAcceptedAfterAKillLandWithinTheBatchInterval() throws Exception {
        int[] ports = TestStack.freePorts(4);
        DevOptions fixed = new DevOptions(dir.resolve("unused"), ports[0], ports[1], ports[2], ports[3]);
        String baseUrl = "http://" + DevOptions.HOST + ":" + ports[0];
        try (ChildProcess dev = ChildProcess.dev("dev", """
                        pipelines:
                          - name: events
                            sink: { batch: { maxDuration: 2s } }
                        """, dir, fixed);
                S3Client s3 = S3Clients.create(new StorageConfig(
                        "http://" + DevOptions.HOST + ":" + ports[3],
                        "us-east-1",
                        EmbeddedS3.ACCESS_KEY,
                        EmbeddedS3.SECRET_KEY))) {
            dev.start("-Xmx512m");
            awaitAccepting(dev, baseUrl, "before-kill");
            IngestLoad load = new IngestLoad(baseUrl, "events", 100, 0, "")
                    .survivingCutConnections()
                    .start();
            await().atMost(DEADLINE).until(() -> load.acknowledged.size() >= 20_000);

            dev.kill(); // with requests in flight: some lanes' transactions are open
            load.close();
            dev.start("-Xmx512m");
            long acceptedAt = awaitAccepting(dev, baseUrl, "after-restart");

            await().atMost(DEADLINE)
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> ids(s3).contains("after-restart"));
            Duration landedAfter = Duration.ofNanos(System.nanoTime() - acceptedAt);
            System.out.printf("a record accepted after the restart landed after %d ms%n", landedAfter.toMillis());
            assertTrue(
                    landedAfter.compareTo(BATCH_INTERVAL.plusSeconds(5)) <= 0,
                    "landed after " + landedAfter.toMillis()
                            + " ms: something the killed process left open held it back");

            await().atMost(DEADLINE).until(() -> ids(s3).containsAll(load.acknowledged));
            List<JsonNode> output = TestStack.allRecords(s3, "sluice", "events");
            load.acknowledged.addAll(List.of("before-kill", "after-restart"));
            ExactlyOnce.assertEveryIdOnce(load.acknowledged, load.unknown, output);
        }
    }

    /** Posts a marker record until the process accepts it; returns System.nanoTime() of that 200. */
    private static long awaitAccepting(ChildProcess dev, String baseUrl, String id) {
        long[] acceptedAt = new long[1];
        await().atMost(DEADLINE).pollInterval(Duration.ofMillis(100)).until(() -> {
            assertTrue(dev.isAlive(), dev::logOfThisRun);
            try {
                HttpResponse<String> r = TestStack.post(baseUrl, "events", "{\"id\":\"" + id + "\"}");
                acceptedAt[0] = System.nanoTime();
                return r.statusCode() == 200;
            } catch (UncheckedIOException e) {
                return false; // not listening yet
            }
        });
        return acceptedAt[0];
    }

    private static List<String> ids(S3Client s3) {
        return TestStack.allRecords(s3, "sluice", "events").stream()
                .map(r -> r.path("id").asText())
                .toList();
    }
}

package dev.sluice.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * kill -9 of a {@code sluice run} process holding every pipeline role (ingest, processor, sink) under HTTP
 * load, then a restart on the same data directory: nothing the dead process left open (transactions, group
 * membership) may hold the pipeline back. A record accepted right after the restart lands within the batch
 * interval (2 s here) + 5 s, and every acknowledged record lands once. The broker stays up, as it does in
 * production; DevKillTest kills a whole {@code sluice dev}, broker included.
 */
class CrashRestartTest {
    private static final Duration BATCH_INTERVAL = Duration.ofSeconds(2);
    private static final Duration DEADLINE = Duration.ofMinutes(2);
    private static final String PIPELINES = """
            pipelines:
              - name: events
                sink: { batch: { maxDuration: 2s } }
            """;

    @TempDir
    Path dir;

    @Test
    void recordsAcceptedAfterAKillLandWithinTheBatchInterval() throws Exception {
        int httpPort = TestStack.freePorts(1)[0];
        String baseUrl = "http://" + DevOptions.HOST + ":" + httpPort;
        DevStack stack = DevStack.start(
                TestStack.config(PIPELINES), TestStack.freePorts(dir.resolve("stack")), Set.of(), w -> {});
        try (stack;
                S3Client s3 = TestStack.s3(stack);
                ChildProcess sluice =
                        ChildProcess.run("sluice", "ingest,processor,sink", PIPELINES, stack, dir, httpPort)) {
            sluice.start("-Xmx512m");
            awaitAccepting(sluice, baseUrl, "before-kill");
            IngestLoad load = new IngestLoad(baseUrl, "events", 100, 0, "")
                    .survivingCutConnections()
                    .start();
            await().atMost(DEADLINE).until(() -> load.acknowledged.size() >= 20_000);

            sluice.kill(); // with requests in flight: some lanes' transactions are open
            load.close();
            sluice.start("-Xmx512m");
            long acceptedAt = awaitAccepting(sluice, baseUrl, "after-restart");

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

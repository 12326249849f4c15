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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.awaitility.core.ConditionTimeoutException;
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
            crashUnderLoadAndRestart(sluice, baseUrl, s3, stack.config().kafka().bootstrapServers());
        }
    }

    /** The same for a whole {@code sluice dev}: the broker and the store die and come back with it. */
    @Test
    void recordsAcceptedAfterKillingAWholeDevProcessLandWithinTheBatchInterval() throws Exception {
        int[] ports = TestStack.freePorts(4);
        DevOptions fixed = new DevOptions(dir.resolve("unused"), ports[0], ports[1], ports[2], ports[3]);
        String baseUrl = "http://" + DevOptions.HOST + ":" + ports[0];
        try (ChildProcess dev = ChildProcess.dev("dev", PIPELINES, dir, fixed);
                S3Client s3 = S3Clients.create(new StorageConfig(
                        "http://" + DevOptions.HOST + ":" + ports[3],
                        null,
                        EmbeddedS3.ACCESS_KEY,
                        EmbeddedS3.SECRET_KEY))) {
            crashUnderLoadAndRestart(dev, baseUrl, s3, DevOptions.HOST + ":" + ports[1]);
        }
    }

    private static void crashUnderLoadAndRestart(ChildProcess sluice, String baseUrl, S3Client s3, String kafka)
            throws InterruptedException {
        sluice.start("-Xmx512m");
        Marker before = awaitAccepting(sluice, baseUrl, "before-kill");
        IngestLoad load = new IngestLoad(baseUrl, "events", 100, 0, "")
                .survivingCutConnections()
                .start();
        await().atMost(DEADLINE).until(() -> load.acknowledged.size() >= 20_000);

        sluice.kill(); // with requests in flight: some lanes' transactions are open
        load.close();
        sluice.start("-Xmx512m");
        Marker after = awaitAccepting(sluice, baseUrl, "after-restart");

        try {
            await().atMost(DEADLINE).pollInterval(Duration.ofMillis(200)).until(() -> ids(s3).contains(after.id()));
        } catch (ConditionTimeoutException e) {
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka))) {
                throw new AssertionError(
                        after.id() + " did not land within " + DEADLINE + "; " + OpenTransactions.describe(admin) + "\n"
                                + sluice.threadDump(),
                        e);
            }
        }
        Duration landedAfter = Duration.ofNanos(System.nanoTime() - after.acceptedAt());
        System.out.printf(
                "%s: a record accepted after the restart landed after %d ms%n", sluice.name(), landedAfter.toMillis());
        assertTrue(
                landedAfter.compareTo(BATCH_INTERVAL.plusSeconds(5)) <= 0,
                "landed after " + landedAfter.toMillis() + " ms: something the killed process left open held it back");

        await().atMost(DEADLINE).until(() -> ids(s3).containsAll(load.acknowledged));
        List<JsonNode> output = TestStack.allRecords(s3, "sluice", "events");
        for (Marker marker : List.of(before, after)) {
            load.acknowledged.add(marker.id());
            load.unknown.addAll(marker.unanswered());
        }
        ExactlyOnce.assertEveryIdOnce(load.acknowledged, load.unknown, output);
    }

    /**
     * A marker record the process accepted at {@code acceptedAt} (System.nanoTime()), and the earlier attempts
     * whose connection failed: each may have landed once, or not at all.
     */
    private record Marker(String id, long acceptedAt, List<String> unanswered) {}

    /** Posts a marker record, a new id per attempt, until the process accepts one. */
    private static Marker awaitAccepting(ChildProcess dev, String baseUrl, String idPrefix) {
        List<String> unanswered = new ArrayList<>();
        Marker[] accepted = new Marker[1];
        int[] attempts = new int[1];
        await().atMost(DEADLINE).pollInterval(Duration.ofMillis(100)).until(() -> {
            assertTrue(dev.isAlive(), dev::logOfThisRun);
            String id = idPrefix + "-" + attempts[0]++;
            try {
                HttpResponse<String> r = TestStack.post(baseUrl, "events", "{\"id\":\"" + id + "\"}");
                if (r.statusCode() == 200) {
                    accepted[0] = new Marker(id, System.nanoTime(), unanswered);
                    return true;
                }
                unanswered.add(id); // refused; and if its commit's outcome was unknown, it may yet land
                return false;
            } catch (UncheckedIOException e) {
                unanswered.add(id); // not listening yet, or cut
                return false;
            }
        });
        return accepted[0];
    }

    private static List<String> ids(S3Client s3) {
        return TestStack.allRecords(s3, "sluice", "events").stream()
                .map(r -> r.path("id").asText())
                .toList();
    }
}

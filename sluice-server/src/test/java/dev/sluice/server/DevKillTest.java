package dev.sluice.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a whole {@code sluice dev} (broker, store, every role in one JVM) while one instance sleeps
 * and another waits for an event: after a restart on the same data directory the sleep fires (no earlier
 * than due) and the wait takes the event sent after the restart.
 */
class DevKillTest {
    private static final Duration DEADLINE = Duration.ofMinutes(2);

    @TempDir
    Path dir;

    @Test
    void sleepsAndWaitsSurviveKillingTheWholeDevProcess() throws Exception {
        int[] ports = TestStack.freePorts(4);
        DevOptions fixed = new DevOptions(dir.resolve("unused"), ports[0], ports[1], ports[2], ports[3]);
        try (ChildProcess dev = ChildProcess.dev("dev", """
                pipelines:
                  - name: events
                workflows:
                  - name: sleeper
                    class: dev.sluice.server.TestWorkflows$Sleeper
                  - name: approval
                    class: dev.sluice.examples.OrderApproval
                """, dir, fixed)) {
            WorkflowsClient api = new WorkflowsClient("http://" + DevOptions.HOST + ":" + ports[0], "sluice", null);
            start(dev, api, ports[1]);
            assertEquals(
                    200,
                    api.post("/sleeper/instances", "{\"instance_id\":\"s\",\"params\":{\"n\":3,\"sleepMs\":4000}}")
                            .status());
            assertEquals(
                    200,
                    api.post("/approval/instances", "{\"instance_id\":\"o\",\"params\":{\"orderId\":\"o\"}}")
                            .status());
            await().atMost(DEADLINE)
                    .until(() -> api.status("sleeper", "s").equals("waiting")
                            && api.status("approval", "o").equals("waiting"));
            JsonNode sleep =
                    api.get("/sleeper/instances/s").result().path("steps").path(1);
            long due = Instant.parse(sleep.path("start").asText()).toEpochMilli() + 4000;

            dev.kill();
            start(dev, api, ports[1]);

            await().atMost(DEADLINE).until(() -> api.status("sleeper", "s").equals("complete"));
            JsonNode slept = api.get("/sleeper/instances/s").result();
            assertEquals(3, slept.path("output").asInt());
            assertTrue(
                    Instant.parse(slept.path("steps").path(1).path("end").asText())
                                    .toEpochMilli()
                            >= due,
                    "fired before due");
            assertEquals(1, slept.path("steps").path(0).path("attempts").size());

            assertEquals("waiting", api.status("approval", "o"));
            assertEquals(
                    200,
                    api.post("/approval/instances/o/events/approval", "{\"approved\":true,\"by\":\"ada\"}")
                            .status());
            await().atMost(DEADLINE).until(() -> api.status("approval", "o").equals("complete"));
            assertEquals(
                    "approved",
                    api.get("/approval/instances/o")
                            .result()
                            .path("output")
                            .path("status")
                            .asText());
        }
    }

    private static void start(ChildProcess dev, WorkflowsClient api, int kafkaPort) {
        dev.start("-Xmx512m");
        try {
            await().atMost(DEADLINE)
                    .pollInterval(Duration.ofMillis(250))
                    .until(() -> !dev.isAlive()
                            || (api.reachable() && api.get("/sleeper/instances").status() == 200));
        } catch (ConditionTimeoutException e) {
            // Before HangingTransactions ended the transactions whose markers the restarted broker skipped, about one
            // run in three: the engine stuck rebuilding its stores behind one. Say what holds readers back if it
            // recurs.
            throw new AssertionError(
                    "the workflows API did not answer within " + DEADLINE + "; open transactions: "
                            + openTransactions(kafkaPort) + "\n" + dev.threadDump(),
                    e);
        }
        assertTrue(dev.isAlive(), dev::log);
    }

    private static String openTransactions(int kafkaPort) {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", DevOptions.HOST + ":" + kafkaPort))) {
            return OpenTransactions.describe(admin);
        }
    }
}

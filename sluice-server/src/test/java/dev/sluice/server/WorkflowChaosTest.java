package dev.sluice.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The workflows role runs as a child process ({@code sluice run --roles workflows}) against a dev stack's
 * broker and is killed with kill -9: at random moments while at least 200 instances run ten steps with sleeps, and in
 * the middle of a sleep. Instances, results and timers live in Kafka, so a restarted process finishes
 * every instance; a step body runs again only when its process died before its result was recorded.
 */
class WorkflowChaosTest {
    private static final Duration DEADLINE = Duration.ofMinutes(3);

    @TempDir
    Path dir;

    DevStack stack;
    ChildProcess engine;
    WorkflowsClient api;
    Path ledger;

    @BeforeEach
    void start() {
        ledger = dir.resolve("ledger.txt");
        String yaml = """
                pipelines:
                  - name: events
                workflows:
                  - name: ledger
                    class: dev.sluice.server.TestWorkflows$Ledger
                    config: { ledger: "%s", steps: 10 }
                  - name: sleeper
                    class: dev.sluice.server.TestWorkflows$Sleeper
                """.formatted(ledger);
        // The stack runs no workflows role: the child is the only engine.
        stack = DevStack.start(
                TestStack.config(yaml),
                TestStack.freePorts(dir.resolve("stack")),
                Set.of(Role.INGEST, Role.PROCESSOR, Role.SINK),
                written -> {});
        int port = TestStack.freePorts(1)[0];
        engine = ChildProcess.run("workflows", "workflows", yaml, stack, dir, port);
        api = new WorkflowsClient("http://" + DevOptions.HOST + ":" + port, "sluice", null);
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (engine != null) {
            engine.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    private void startEngine() {
        engine.start("-Xmx256m");
        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> !engine.isAlive()
                        || (api.reachable() && api.get("/ledger/instances").status() == 200));
        assertTrue(engine.isAlive(), engine::log);
    }

    @Test
    void killedAtRandomMomentsEveryInstanceCompletesAndNoRecordedStepRunsAgain() throws Exception {
        long seed = System.nanoTime();
        LoggerFactory.getLogger(WorkflowChaosTest.class).info("workflow chaos seed {}", seed);
        Random random = new Random(seed);
        startEngine();
        createInstances(0, 100);
        createInstances(100, 100);
        int created = 200;
        int kills = 0;
        for (int round = 0; kills < 7; round++) {
            assertTrue(round < 20, "in 20 rounds only " + kills + " kills came while instances ran");
            // On a fast run the restarted engines can finish everything in fewer than seven kills; more
            // instances keep every kill in the middle of work instead of weakening the test.
            if (new HashSet<>(ledgerLines()).size() > created * 10 - 500) {
                createInstances(created, 100);
                created += 100;
            }
            // A random moment, measured in progress: kill once the ledger has grown by 10 to 40 appends.
            int target = ledgerLines().size() + 10 + random.nextInt(31);
            int total = created;
            await().atMost(DEADLINE).until(() -> ledgerLines().size() >= target || allComplete(total));
            if (allComplete(total)) {
                continue;
            }
            engine.kill();
            kills++;
            startEngine();
        }
        int total = created;
        await().atMost(DEADLINE).pollInterval(Duration.ofSeconds(1)).until(() -> allComplete(total));

        Set<String> expected = new HashSet<>();
        Set<String> ids = new HashSet<>();
        for (int page = 1; ; page++) {
            JsonNode rows =
                    api.get("/ledger/instances?per_page=100&page=" + page).result();
            if (rows.isEmpty()) {
                break;
            }
            rows.forEach(row -> assertTrue(ids.add(row.path("id").asText()), "listed twice: " + row));
        }
        assertEquals(total, ids.size(), "one instance per create id");
        for (String id : ids) {
            JsonNode instance = api.get("/ledger/instances/" + id).result();
            assertEquals(10, instance.path("output").asInt());
            int appends = 0;
            for (JsonNode step : instance.path("steps")) {
                if (step.path("type").asText().equals("step")) {
                    assertTrue(step.path("success").asBoolean(), step::toString);
                    expected.add(step.path("output").asText());
                    appends++;
                }
            }
            assertEquals(10, appends, instance::toString);
        }
        List<String> lines = ledgerLines();
        Map<String, Long> perKey = lines.stream().collect(Collectors.groupingBy(l -> l, Collectors.counting()));
        assertEquals(
                expected, perKey.keySet(), "every recorded step's side effect is in the ledger, and nothing else is");
        int repeated = lines.size() - perKey.size();
        LoggerFactory.getLogger(WorkflowChaosTest.class)
                .info(
                        "{} kills; {} appends for {} recorded steps ({} repeated)",
                        kills,
                        lines.size(),
                        perKey.size(),
                        repeated);
        // A body runs again only if its process died while it ran or before its result was recorded:
        // at most the executions in flight at each kill (32 workers).
        assertTrue(repeated <= 32L * kills, repeated + " repeated appends for " + kills + " kills");
    }

    @Test
    void aSleepThatFellDueWhileTheProcessWasDeadFiresRightAfterTheRestart() throws Exception {
        startEngine();
        assertEquals(
                200,
                api.post("/sleeper/instances", "{\"instance_id\":\"nap\",\"params\":{\"n\":7,\"sleepMs\":5000}}")
                        .status());
        await().atMost(DEADLINE)
                .until(() ->
                        api.get("/sleeper/instances/nap").result().path("steps").size() == 2);
        engine.kill();
        // Restart 10 s after the kill, well after the sleep fell due.
        long restartAt = System.currentTimeMillis() + 10_000;
        await().atMost(Duration.ofSeconds(15)).until(() -> System.currentTimeMillis() >= restartAt);
        engine.start("-Xmx256m");
        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> !engine.isAlive()
                        || (api.reachable() && api.get("/sleeper/instances/nap").status() == 200));
        long ready = System.currentTimeMillis();
        await().atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> api.status("sleeper", "nap").equals("complete"));
        JsonNode instance = api.get("/sleeper/instances/nap").result();
        // The sleep as recorded: normally the one asked for before the kill; when the kill came before that
        // record was committed, the one the re-run asked for after the restart.
        JsonNode sleep = instance.path("steps").path(1);
        long due = java.time.Instant.parse(sleep.path("start").asText()).toEpochMilli() + 5000;
        long fired = java.time.Instant.parse(sleep.path("end").asText()).toEpochMilli();
        assertTrue(fired >= due, "fired " + (due - fired) + " ms before due");
        assertTrue(
                fired - Math.max(due, ready) <= 2_000,
                "fired " + (fired - Math.max(due, ready)) + " ms after it was due and the restarted engine answered");
        assertEquals(7, instance.path("output").asInt());
        assertEquals(1, instance.path("steps").path(0).path("attempts").size());
    }

    private void createInstances(int first, int count) {
        StringBuilder body = new StringBuilder("[");
        for (int i = 0; i < count; i++) {
            body.append(i == 0 ? "" : ",")
                    .append("{\"instance_id\":\"c-")
                    .append(first + i)
                    .append("\"}");
        }
        WorkflowsClient.Answer created =
                api.post("/ledger/instances/batch", body.append("]").toString());
        assertEquals(200, created.status(), created.body()::toString);
    }

    /** True when {@code total} instances are complete; false too while the engine is not answering. */
    private boolean allComplete(int total) {
        int complete = 0;
        for (int page = 1; ; page++) {
            WorkflowsClient.Answer answer = api.get("/ledger/instances?status=complete&per_page=100&page=" + page);
            if (answer.status() != 200) {
                return false;
            }
            if (answer.result().isEmpty()) {
                return complete == total;
            }
            complete += answer.result().size();
        }
    }

    private List<String> ledgerLines() {
        try {
            return Files.exists(ledger)
                    ? Files.readAllLines(ledger).stream()
                            .filter(l -> !l.isBlank())
                            .map(l -> l.substring(0, l.indexOf(' ')))
                            .toList()
                    : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

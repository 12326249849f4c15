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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two processes with the workflows role, as a fleet runs them: they share the instances (each owns
 * some partitions, and either answers for all of them over REST), a schedule ticks once per minute
 * however many processes send the tick, and when one dies (kill -9) the other finishes its instances.
 */
class WorkflowFleetTest {
    private static final Duration DEADLINE = Duration.ofSeconds(150);

    @TempDir
    Path dir;

    @Test
    void twoProcessesShareInstancesTickOnceAndOneFinishesWhatTheOtherLeft() throws Exception {
        Path ledger = dir.resolve("ledger.txt");
        String yaml = """
                pipelines:
                  - name: events
                workflows:
                  - name: ledger
                    class: dev.sluice.server.TestWorkflows$Ledger
                    config: { ledger: "%s" }
                  - name: ticker
                    class: dev.sluice.server.TestWorkflows$Ledger
                    config: { ledger: "%s", steps: 1 }
                    trigger: { schedule: "* * * * *" }
                """.formatted(ledger, ledger);
        DevStack stack = DevStack.start(
                TestStack.config(yaml),
                TestStack.freePorts(dir.resolve("stack")),
                Set.of(Role.INGEST, Role.PROCESSOR, Role.SINK),
                written -> {});
        int[] ports = TestStack.freePorts(2);
        try (ChildProcess a = ChildProcess.run(
                        "wf-a", "workflows", yaml, stack, Files.createDirectories(dir.resolve("a")), ports[0]);
                ChildProcess b = ChildProcess.run(
                        "wf-b", "workflows", yaml, stack, Files.createDirectories(dir.resolve("b")), ports[1])) {
            WorkflowsClient apiA = new WorkflowsClient("http://" + DevOptions.HOST + ":" + ports[0], "sluice", null);
            WorkflowsClient apiB = new WorkflowsClient("http://" + DevOptions.HOST + ":" + ports[1], "sluice", null);
            a.start("-Xmx256m");
            b.start("-Xmx256m");
            for (WorkflowsClient api : List.of(apiA, apiB)) {
                await().atMost(Duration.ofSeconds(90))
                        .pollInterval(Duration.ofMillis(200))
                        .until(() ->
                                api.reachable() && api.get("/ledger/instances").status() == 200);
            }

            // One instance per tick, though both processes send it: the tick's id is its minute.
            await().atMost(DEADLINE)
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> completedIds(apiA, "ticker").size() >= 1);
            EngineProgress.awaitCaughtUp(stack, DEADLINE);
            List<String> ticks = allIds(apiA, "ticker");
            assertEquals(Set.copyOf(ticks).size(), ticks.size(), "a tick listed twice: " + ticks);
            for (String tick : ticks) {
                assertTrue(tick.matches("cron-\\d{12}"), tick);
                assertEquals(
                        1,
                        keys(ledger).stream()
                                .filter(k -> k.equals(tick + "/append/0"))
                                .count(),
                        "the tick " + tick + " ran once");
            }

            // Both share the instances, and each answers for all of them.
            StringBuilder batch = new StringBuilder("[");
            for (int i = 0; i < 100; i++) {
                batch.append(i == 0 ? "" : ",")
                        .append("{\"instance_id\":\"f-")
                        .append(i)
                        .append("\"}");
            }
            assertEquals(
                    200,
                    apiA.post("/ledger/instances/batch", batch.append("]").toString())
                            .status());
            await().atMost(DEADLINE)
                    .until(() -> pids(ledger).size() == 2 && keys(ledger).size() >= 80);
            assertEquals(100, allIds(apiB, "ledger").size(), "B lists what A owns too");
            for (int i = 0; i < 100; i += 7) {
                assertEquals(200, apiB.get("/ledger/instances/f-" + i).status(), "B answers for f-" + i);
                assertEquals(200, apiA.get("/ledger/instances/f-" + i).status(), "A answers for f-" + i);
            }

            // B dies; A takes over its partitions (after B's 10 s session) and finishes every instance.
            b.kill();
            await().atMost(DEADLINE)
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> completedIds(apiA, "ledger").size() == 100);
            Set<String> recorded = new HashSet<>();
            for (int i = 0; i < 100; i++) {
                JsonNode instance = apiA.get("/ledger/instances/f-" + i).result();
                assertEquals(3, instance.path("output").asInt());
                instance.path("steps").forEach(s -> {
                    if (s.path("type").asText().equals("step")) {
                        recorded.add(s.path("output").asText());
                    }
                });
            }
            Set<String> ledgerKeys =
                    keys(ledger).stream().filter(k -> k.startsWith("f-")).collect(Collectors.toSet());
            assertEquals(
                    recorded, ledgerKeys, "every recorded step's side effect is in the ledger, and nothing else is");
            assertTrue(a.isAlive(), a::log);
        } finally {
            stack.close();
        }
    }

    private static List<String> completedIds(WorkflowsClient api, String workflow) {
        WorkflowsClient.Answer answer = api.get("/" + workflow + "/instances?status=complete&per_page=100");
        List<String> ids = new ArrayList<>();
        if (answer.status() == 200) {
            answer.result().forEach(row -> ids.add(row.path("id").asText()));
        }
        return ids;
    }

    private static List<String> allIds(WorkflowsClient api, String workflow) {
        List<String> ids = new ArrayList<>();
        for (int page = 1; ; page++) {
            JsonNode rows = api.get("/" + workflow + "/instances?per_page=100&page=" + page)
                    .result();
            if (rows.isEmpty()) {
                return ids;
            }
            rows.forEach(row -> ids.add(row.path("id").asText()));
        }
    }

    private static List<String> lines(Path ledger) {
        try {
            return Files.exists(ledger)
                    ? Files.readAllLines(ledger).stream()
                            .filter(l -> !l.isBlank())
                            .toList()
                    : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> keys(Path ledger) {
        return lines(ledger).stream().map(l -> l.substring(0, l.indexOf(' '))).toList();
    }

    private static Set<String> pids(Path ledger) {
        return lines(ledger).stream()
                .filter(l -> l.startsWith("f-"))
                .map(l -> l.substring(l.indexOf(' ') + 1))
                .collect(Collectors.toSet());
    }
}

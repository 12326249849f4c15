package dev.sluice.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.server.cli.StatusCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

/**
 * {@code sluice workflows …} and {@code sluice status} against a running stack: what they print, and that pause,
 * resume, send-event, terminate and restart change the instances as the workflows API says.
 */
class WorkflowsCliTest {
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final StackExtension running = new StackExtension("""
                        pipelines:
                          - name: events
                        workflows:
                          - name: gate
                            class: dev.sluice.server.TestWorkflows$Gate
                        """);

    private static String url() {
        return running.stack().httpBaseUrl();
    }

    private static String status(String id) {
        return new WorkflowsClient(running.stack(), "sluice", null).status("gate", id);
    }

    @Test
    void instancesAreListedDescribedAndSteered() throws Exception {
        WorkflowsClient api = new WorkflowsClient(running.stack(), "sluice", null);
        assertEquals(
                200, api.post("/gate/instances", "{\"instance_id\":\"g-1\"}").status());
        assertEquals(
                200, api.post("/gate/instances", "{\"instance_id\":\"g-2\"}").status());
        await().atMost(DEADLINE)
                .until(() -> status("g-1").equals("waiting") && status("g-2").equals("waiting"));

        CliRun list = CliRun.sluice("workflows", "list", "--url", url());
        assertEquals(0, list.exit(), list.err());
        List<String> lines = list.out().strip().lines().toList();
        assertEquals("WORKFLOW", lines.get(0).split("\\s+", -1)[0]);
        List<String> header = List.of(lines.get(0).split("\\s+", -1));
        List<String> gate = List.of(lines.get(1).split("\\s+", -1));
        assertEquals("gate", gate.get(0));
        assertEquals("2", gate.get(header.indexOf("WAITING")), list.out());

        CliRun waiting = CliRun.sluice("workflows", "instances", "gate", "--status", "waiting", "--url", url());
        assertEquals(0, waiting.exit(), waiting.err());
        assertTrue(
                waiting.out().lines().anyMatch(l -> l.startsWith("g-1  ") && l.contains(" waiting ")), waiting.out());

        CliRun pause = CliRun.sluice("workflows", "pause", "gate", "g-1", "--url", url());
        assertEquals(0, pause.exit(), pause.err());
        await().atMost(DEADLINE).until(() -> status("g-1").equals("paused"));
        assertEquals(
                0,
                CliRun.sluice("workflows", "resume", "gate", "g-1", "--url", url())
                        .exit());
        await().atMost(DEADLINE).until(() -> !status("g-1").equals("paused"));

        CliRun event = CliRun.sluice(
                "workflows", "send-event", "gate", "g-1", "go", "--payload", "{\"value\":\"opened\"}", "--url", url());
        assertEquals(0, event.exit(), event.err());
        await().atMost(DEADLINE).until(() -> status("g-1").equals("complete"));
        CliRun describe = CliRun.sluice("workflows", "describe", "gate", "g-1", "--url", url());
        assertEquals(0, describe.exit(), describe.err());
        assertTrue(describe.out().startsWith("status  complete\n"), describe.out());
        assertTrue(describe.out().contains("output  \"opened\""), describe.out());
        assertTrue(describe.out().lines().anyMatch(l -> l.startsWith("one ") && l.contains(" step ")), describe.out());
        JsonNode json = JSON.readTree(CliRun.sluice("workflows", "describe", "gate", "g-1", "--url", url(), "--json")
                .out());
        assertEquals("opened", json.path("output").asText(), json.toString());

        assertEquals(
                0,
                CliRun.sluice("workflows", "terminate", "gate", "g-2", "--url", url())
                        .exit());
        await().atMost(DEADLINE).until(() -> status("g-2").equals("terminated"));
        assertEquals(
                0,
                CliRun.sluice("workflows", "restart", "gate", "g-2", "--from", "one", "--url", url())
                        .exit());
        await().atMost(DEADLINE).until(() -> status("g-2").equals("waiting"));

        CliRun unknown = CliRun.sluice("workflows", "describe", "nope", "g-1", "--url", url());
        assertEquals(1, unknown.exit());
        assertTrue(unknown.err().startsWith("sluice: 404 "), unknown.err());
        CliRun badPayload =
                CliRun.sluice("workflows", "send-event", "gate", "g-2", "go", "--payload", "{oops", "--url", url());
        assertEquals(2, badPayload.exit());
        assertTrue(badPayload.err().contains("--payload is not JSON"), badPayload.err());
    }

    @Test
    void statusShowsPipelinesAndWorkflowsAndWatchRedraws() throws Exception {
        CliRun status = CliRun.sluice("status", "--url", url());
        assertEquals(0, status.exit(), status.err());
        List<String> lines = status.out().strip().lines().toList();
        assertTrue(lines.get(0).startsWith("PIPELINE "), status.out());
        assertTrue(lines.get(1).startsWith("events "), status.out());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("WORKFLOW ")), status.out());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("gate ")), status.out());

        // --watch redraws until interrupted.
        StringWriter out = new StringWriter();
        CommandLine cli = new CommandLine(new SluiceCli());
        cli.setOut(new PrintWriter(out));
        CompletableFuture<Integer> watching = new CompletableFuture<>();
        Thread watcher = new Thread(
                () -> watching.complete(cli.execute("status", "--watch", "--interval", "1", "--url", url())));
        watcher.start();
        await().atMost(DEADLINE).until(() -> out.toString().split(Pattern.quote(StatusCommand.CLEAR), -1).length > 2);
        watcher.interrupt();
        assertEquals(0, watching.get(30, TimeUnit.SECONDS));
        assertTrue(out.toString().contains("events "), out.toString());
    }
}

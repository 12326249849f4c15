package dev.sluice.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sluice pipelines list|describe} against a running stack: a table for people, {@code --json} for
 * scripts, exit code 1 with a one-line reason when the token is missing or nothing answers.
 */
class PipelinesCliTest {
    private static final String TOKEN = "cli-secret";

    @TempDir
    Path dir;

    @Test
    void listsAndDescribesPipelinesAndSaysWhyWhenItCannot() throws Exception {
        String yaml = """
                pipelines:
                  - name: events
                    sink: { batch: { maxDuration: 1s } }
                  - name: clicks
                admin: { tokens: [ "%s" ] }
                """.formatted(TOKEN);
        try (DevStack stack = DevStack.start(TestStack.config(yaml), TestStack.freePorts(dir), w -> {})) {
            String url = stack.httpBaseUrl();
            TestStack.postAcked(stack, "events", List.of("{\"id\":\"a\"}"));
            await().atMost(Duration.ofMinutes(1)).until(() -> {
                CliRun json =
                        CliRun.sluice("pipelines", "describe", "events", "--url", url, "--token", TOKEN, "--json");
                return json.exit() == 0
                        && new ObjectMapper()
                                        .readTree(json.out())
                                        .path("stats")
                                        .path("recordsIn")
                                        .asLong()
                                >= 1;
            });

            CliRun list = CliRun.sluice("pipelines", "list", "--url", url, "--token", TOKEN);
            assertEquals(0, list.exit(), list.err());
            List<String> lines = list.out().strip().lines().toList();
            assertEquals(
                    List.of("PIPELINE", "IN/S", "OUT/S", "BACKLOG", "LAG", "FRESHNESS", "DLQ"),
                    List.of(lines.get(0).split("\\s+", -1)));
            assertEquals("events", lines.get(1).split("\\s+", -1)[0]);
            assertEquals("clicks", lines.get(2).split("\\s+", -1)[0]);

            // Without workflows, status shows the pipelines alone.
            CliRun status = CliRun.sluice("status", "--url", url, "--token", TOKEN);
            assertEquals(0, status.exit(), status.err());
            assertEquals(lines.get(0), status.out().strip().lines().findFirst().orElse(""), status.out());
            assertTrue(status.out().lines().noneMatch(l -> l.startsWith("WORKFLOW")), status.out());

            CliRun describe = CliRun.sluice("pipelines", "describe", "events", "--url", url, "--token", TOKEN);
            assertEquals(0, describe.exit(), describe.err());
            assertTrue(describe.out().contains("events → events.out, dead letters events.dlq"), describe.out());

            CliRun json = CliRun.sluice("pipelines", "list", "--url", url, "--token", TOKEN, "--json");
            JsonNode pipelines = new ObjectMapper().readTree(json.out());
            assertEquals("clicks", pipelines.path(1).path("name").asText(), json.out());

            CliRun noToken = CliRun.sluice("pipelines", "list", "--url", url, "--token", "");
            assertEquals(1, noToken.exit());
            assertTrue(noToken.err().startsWith("sluice: 401 unauthorized: "), noToken.err());
            CliRun unknown = CliRun.sluice("pipelines", "describe", "nope", "--url", url, "--token", TOKEN);
            assertEquals(1, unknown.exit());
            assertTrue(unknown.err().startsWith("sluice: 404 unknown_pipeline: "), unknown.err());
        }
        int[] closed = TestStack.freePorts(1);
        CliRun down = CliRun.sluice("pipelines", "list", "--url", "http://127.0.0.1:" + closed[0]);
        assertEquals(1, down.exit());
        assertTrue(down.err().startsWith("sluice: cannot reach http://127.0.0.1:" + closed[0]), down.err());
    }
}

package dev.sluice.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.server.admin.DeadLetterReplay;
import dev.sluice.server.admin.ReplayFilter;
import dev.sluice.wire.SluiceHeaders;
import dev.sluice.wire.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.common.KafkaException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Dead letters put back through the operator API and {@code sluice dlq}: by filter, each once however often a
 * replay runs (also two at once, as from two processes), a record that fails again back in the DLQ with its new
 * reason, and in the end every record in the output exactly once.
 */
class DeadLetterReplayTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Duration DEADLINE = Duration.ofMinutes(1);

    @TempDir
    Path dir;

    @Test
    void deadLettersArePutBackOnceAndLandOnceTheTransformIsFixed() throws Exception {
        String yaml = """
                pipelines:
                  - name: events
                    partitions: 2
                    transforms: [ { label: switchable, class: dev.sluice.server.Switchable } ]
                    sink: { batch: { maxDuration: 1s } }
                """;
        Switchable.BROKEN = true;
        try (DevStack stack = DevStack.start(TestStack.config(yaml), TestStack.freePorts(dir), w -> {});
                S3Client s3 = TestStack.s3(stack)) {
            List<String> ids = List.of("a", "b", "c", "d", "e", "f");
            List<String> records = new ArrayList<>();
            for (String id : ids) {
                records.add(id.compareTo("c") > 0 ? "{\"id\":\"" + id + "\",\"bad\":1}" : "{\"id\":\"" + id + "\"}");
            }
            TestStack.postAcked(stack, "events", records);
            await().atMost(DEADLINE).until(() -> pending(stack).size() == 3);

            // A filter that matches none of them puts nothing back.
            JsonNode none = replay(stack, "{\"transform\":\"another\"}");
            assertEquals(0, none.path("replayed").asLong(), none.toString());
            assertEquals(3, none.path("notMatched").asLong(), none.toString());

            // Still broken: they fail again, and are dead letters again with their new reason; the old ones are done.
            JsonNode first = replay(stack, "{\"stage\":\"transform\",\"transform\":\"switchable\"}");
            assertEquals(3, first.path("replayed").asLong(), first.toString());
            await().atMost(DEADLINE)
                    .until(() -> TestStack.committedValues(stack, Topics.deadLetters("events"))
                                    .size()
                            == 6);
            List<JsonNode> again = pending(stack);
            assertEquals(3, again.size(), again.toString());
            for (JsonNode dead : again) {
                assertTrue(
                        dead.path("headers")
                                .path(SluiceHeaders.REPLAY_OF)
                                .asText()
                                .startsWith(Topics.deadLetters("events") + "/"),
                        dead.toString());
                assertEquals(
                        "switchable",
                        dead.path("headers").path(SluiceHeaders.ERROR_TRANSFORM).asText());
            }

            // Fixed: two replays at once, as from two processes, put the three back once between them.
            Switchable.BROKEN = false;
            ExecutorService two = Executors.newFixedThreadPool(2);
            long replayed = 0;
            int fenced = 0;
            try {
                List<Future<DeadLetterReplay.Result>> both = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    DeadLetterReplay replay =
                            new DeadLetterReplay(stack.config().kafka(), 1 << 20, Clock.systemUTC());
                    both.add(two.submit(
                            () -> replay.replay(stack.config().pipelines().get(0), ReplayFilter.ALL)));
                }
                for (Future<DeadLetterReplay.Result> f : both) {
                    try {
                        replayed += f.get().replayed();
                    } catch (java.util.concurrent.ExecutionException e) {
                        // The one fenced by the other wrote nothing: that is the point of fencing.
                        assertTrue(e.getCause() instanceof KafkaException, e.toString());
                        fenced++;
                    }
                }
            } finally {
                two.shutdownNow();
            }
            assertTrue(fenced <= 1, "at most one is fenced");
            JsonNode rest = replay(stack, "");
            assertEquals(
                    3, replayed + rest.path("replayed").asLong(), "replayed at once " + replayed + ", then " + rest);
            assertEquals(
                    6 - rest.path("replayed").asLong(),
                    rest.path("alreadyReplayed").asLong(),
                    rest.toString());

            await().atMost(DEADLINE)
                    .until(() -> TestStack.allRecords(s3, "sluice", "events").size() >= ids.size());
            ExactlyOnce.assertEveryIdOnce(ids, TestStack.allRecords(s3, "sluice", "events"));
            assertEquals(List.of(), pending(stack), "the DLQ view is empty");

            // The CLI: the same replay again puts nothing back; a bad --since is named.
            String url = stack.httpBaseUrl();
            CliRun cli = CliRun.sluice("dlq", "replay", "events", "--since", "1h", "--url", url);
            assertEquals(0, cli.exit(), cli.err());
            assertEquals(
                    "replayed 0, already replayed 6, not matched 0", cli.out().strip());
            CliRun list = CliRun.sluice("dlq", "list", "events", "--url", url);
            assertEquals(0, list.exit(), list.err());
            assertEquals("", list.out().strip());
            CliRun bad = CliRun.sluice("dlq", "replay", "events", "--since", "yesterday", "--url", url);
            assertEquals(2, bad.exit());
            assertTrue(bad.err().contains("--since must be an instant"), bad.err());
            // Only as JSON: a cross-site form or no-cors fetch cannot send that without a preflight.
            HttpResponse<String> form = HTTP.send(
                    HttpRequest.newBuilder(
                                    URI.create(stack.httpBaseUrl() + "/api/v1/pipelines/events/dead-letters/replay"))
                            .header("Content-Type", "text/plain")
                            .POST(HttpRequest.BodyPublishers.ofString("{}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(415, form.statusCode(), form.body());
            HttpResponse<String> badStage = post(stack, "{\"stage\":\"nowhere\"}");
            assertEquals(400, badStage.statusCode(), badStage.body());
            assertTrue(badStage.body().contains("stage must be one of"), badStage.body());
        }
    }

    private static List<JsonNode> pending(DevStack stack) throws Exception {
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(URI.create(stack.httpBaseUrl() + "/api/v1/pipelines/events/dead-letters"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        List<JsonNode> out = new ArrayList<>();
        JSON.readTree(response.body()).path("result").forEach(out::add);
        return out;
    }

    private static JsonNode replay(DevStack stack, String body) throws Exception {
        HttpResponse<String> response = post(stack, body);
        assertEquals(200, response.statusCode(), response.body());
        return JSON.readTree(response.body()).path("result");
    }

    private static HttpResponse<String> post(DevStack stack, String body) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create(stack.httpBaseUrl() + "/api/v1/pipelines/events/dead-letters/replay"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}

package dev.sluice.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.wire.Topics;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator API on the ingest port of a running stack: only with a token from {@code admin.tokens}; each
 * pipeline listed and described, with figures measured from Kafka that follow what was posted.
 */
class AdminApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String TOKEN = "admin-secret";

    @TempDir
    Path dir;

    @Test
    void pipelinesAreListedAndDescribedBehindTheAdminTokens() throws Exception {
        String yaml = """
                pipelines:
                  - name: events
                    transforms: [ { label: fail-on-bad, class: dev.sluice.server.FailOnBad } ]
                    sink: { batch: { maxDuration: 1s } }
                  - name: clicks
                    sink: { batch: { maxDuration: 1h } }
                admin: { tokens: [ "%s" ] }
                """.formatted(TOKEN);
        try (DevStack stack = DevStack.start(TestStack.config(yaml), TestStack.freePorts(dir), w -> {})) {
            assertEquals(401, get(stack, "/api/v1/pipelines", null).statusCode());
            HttpResponse<String> wrong = get(stack, "/api/v1/pipelines", "not-it");
            assertEquals(403, wrong.statusCode());
            assertEquals(
                    "forbidden",
                    JSON.readTree(wrong.body()).path("error").path("code").asText(),
                    wrong.body());

            JsonNode list = result(get(stack, "/api/v1/pipelines", TOKEN));
            List<String> names = new ArrayList<>();
            list.forEach(p -> names.add(p.path("name").asText()));
            assertEquals(List.of("events", "clicks"), names);

            TestStack.postAcked(
                    stack, "events", List.of("{\"id\":\"a\"}", "{\"id\":\"b\"}", "{\"id\":\"c\",\"bad\":1}"));
            // Offsets count transaction markers too: at least the records, and nothing left behind.
            await().atMost(Duration.ofMinutes(1)).until(() -> {
                JsonNode stats =
                        result(get(stack, "/api/v1/pipelines/events", TOKEN)).path("stats");
                return stats.path("recordsIn").asLong() >= 3
                        && stats.path("recordsOut").asLong() >= 2
                        && stats.path("deadLettered").asLong() >= 1
                        && stats.path("backlog").asLong() == 0
                        && stats.path("processorLag").asLong() == 0;
            });
            // The objects written, as announced: the two good records, in objects of the events prefix.
            await().atMost(Duration.ofMinutes(1)).until(() -> {
                long records = 0;
                for (JsonNode o :
                        result(get(stack, "/api/v1/pipelines/events", TOKEN)).path("recentObjects")) {
                    records += o.path("records").asLong();
                }
                return records == 2;
            });
            JsonNode events = result(get(stack, "/api/v1/pipelines/events", TOKEN));
            JsonNode newest = events.path("recentObjects").path(0);
            assertTrue(newest.path("object").path("key").asText().startsWith("events/"), newest.toString());
            assertTrue(newest.path("object").path("size").asLong() > 0, newest.toString());
            assertEquals(
                    0,
                    result(get(stack, "/api/v1/pipelines/clicks", TOKEN))
                            .path("recentObjects")
                            .size());
            assertEquals(
                    Topics.deadLetters("events"),
                    events.path("topics").path("deadLetter").asText(),
                    events.toString());
            assertEquals(
                    "fail-on-bad",
                    events.path("transforms").path(0).path("label").asText());
            assertEquals(
                    "dlq", events.path("transforms").path(0).path("onError").asText());
            assertEquals(
                    1,
                    events.path("sink").path("batch").path("maxDurationSeconds").asInt());
            JsonNode clicks =
                    result(get(stack, "/api/v1/pipelines/clicks", TOKEN)).path("stats");
            assertEquals(0, clicks.path("recordsIn").asLong(), clicks.toString());
            assertEquals(0, clicks.path("deadLettered").asLong(), clicks.toString());

            // Freshness: a record that waits for its object (clicks closes batches hourly) ages; written ones do not.
            TestStack.postAcked(stack, "clicks", List.of("{\"id\":\"w\"}"));
            await().atMost(Duration.ofMinutes(1))
                    .until(() -> result(get(stack, "/api/v1/pipelines/clicks", TOKEN))
                                    .path("stats")
                                    .path("freshnessSeconds")
                                    .asDouble()
                            >= 2);
            assertEquals(
                    0,
                    result(get(stack, "/api/v1/pipelines/events", TOKEN))
                            .path("stats")
                            .path("freshnessSeconds")
                            .asDouble());

            // The last 15 minutes, a sample a second, as columns.
            JsonNode history = result(get(stack, "/api/v1/pipelines/clicks/history", TOKEN));
            int samples = history.path("at").size();
            assertTrue(samples >= 2, history.toString());
            for (String column : List.of("recordsInPerSecond", "recordsOutPerSecond", "backlog", "freshnessSeconds")) {
                assertEquals(samples, history.path(column).size(), column);
            }
            assertTrue(history.path("at").get(samples - 1).asLong()
                    > history.path("at").get(0).asLong());
            assertTrue(history.path("freshnessSeconds").get(samples - 1).asDouble() >= 2, history.toString());

            HttpResponse<String> unknown = get(stack, "/api/v1/pipelines/nope", TOKEN);
            assertEquals(404, unknown.statusCode());
            assertEquals(
                    "unknown_pipeline",
                    JSON.readTree(unknown.body()).path("error").path("code").asText(),
                    unknown.body());
        }
    }

    private static JsonNode result(HttpResponse<String> response) throws IOException {
        assertEquals(200, response.statusCode(), response.body());
        return JSON.readTree(response.body()).path("result");
    }

    private static HttpResponse<String> get(DevStack stack, String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(stack.httpBaseUrl() + path));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}

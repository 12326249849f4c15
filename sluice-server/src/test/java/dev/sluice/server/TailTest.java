package dev.sluice.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.wire.SluiceHeaders;
import dev.sluice.wire.Topics;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A pipeline's records through the operator API and {@code sluice tail}: the last N of its input, output and
 * dead-letter topics with their headers, and live as server-sent events.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class) // later tests post more records
class TailTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @RegisterExtension
    static final StackExtension running = new StackExtension("""
                        pipelines:
                          - name: events
                            partitions: 1
                            transforms: [ { label: fail-on-bad, class: dev.sluice.server.FailOnBad } ]
                            sink: { batch: { maxDuration: 1s } }
                        """);

    private static DevStack stack;

    @BeforeAll
    static void threeRecordsOneDeadLettered() {
        stack = running.stack();
        TestStack.postAcked(stack, "events", List.of("{\"id\":\"a\"}", "{\"id\":\"b\"}", "{\"id\":\"c\",\"bad\":1}"));
        await().atMost(Duration.ofMinutes(1))
                .until(() -> TestStack.committedValues(stack, Topics.deadLetters("events"))
                                        .size()
                                == 1
                        && TestStack.committedValues(stack, Topics.output("events"))
                                        .size()
                                == 2);
    }

    @Test
    @Order(1)
    void theLastRecordsOfEachTopicWithTheirHeaders() throws Exception {
        assertEquals(List.of("b", "c"), ids(records("?last=2")));
        assertEquals(List.of("a", "b", "c"), ids(records("")));
        assertEquals(List.of("a", "b"), ids(records("?topic=out&last=10")));

        JsonNode deadLetters = records("?topic=dlq");
        assertEquals(1, deadLetters.size(), deadLetters.toString());
        JsonNode dead = deadLetters.get(0);
        assertEquals(Topics.deadLetters("events"), dead.path("topic").asText());
        assertEquals(0, dead.path("offset").asLong());
        assertEquals("c", dead.path("value").path("id").asText(), dead.toString());
        JsonNode headers = dead.path("headers");
        assertEquals("transform", headers.path(SluiceHeaders.ERROR_STAGE).asText(), dead.toString());
        assertEquals("fail-on-bad", headers.path(SluiceHeaders.ERROR_TRANSFORM).asText(), dead.toString());
        assertEquals("http", headers.path(SluiceHeaders.SOURCE).asText(), dead.toString());
    }

    @Test
    void aBadQueryIsRefusedNamingTheParameter() throws Exception {
        HttpResponse<String> topic = get("/api/v1/pipelines/events/records?topic=sideways");
        assertEquals(400, topic.statusCode(), topic.body());
        assertTrue(error(topic).path("message").asText().contains("topic must be in, out or dlq"), topic.body());
        HttpResponse<String> last = get("/api/v1/pipelines/events/records?last=-1");
        assertEquals(400, last.statusCode(), last.body());
        assertTrue(error(last).path("message").asText().startsWith("last must be"), last.body());
        HttpResponse<String> notAStream = get("/api/v1/pipelines/events/records/live");
        assertEquals(406, notAStream.statusCode(), notAStream.body());
        assertEquals("not_acceptable", error(notAStream).path("code").asText(), notAStream.body());
        HttpResponse<String> unknown = get("/api/v1/pipelines/nope/records/live");
        assertEquals(404, unknown.statusCode(), unknown.body());
        assertEquals("unknown_pipeline", error(unknown).path("code").asText(), unknown.body());
    }

    @Test
    @Order(3)
    void aLiveTailSendsEachNewRecordAsAnEvent() throws Exception {
        // Earlier tests' records are through the processor: only this test's reach events.out from now on.
        await().atMost(Duration.ofMinutes(1))
                .until(() -> TestStack.committedValues(stack, "events").size()
                        == TestStack.committedValues(stack, Topics.output("events"))
                                        .size()
                                + TestStack.committedValues(stack, Topics.deadLetters("events"))
                                        .size());
        HttpRequest request = HttpRequest.newBuilder(
                        URI.create(stack.httpBaseUrl() + "/api/v1/pipelines/events/records/live?topic=out&limit=2"))
                .header("Accept", "text/event-stream")
                .build();
        HttpResponse<Stream<String>> response = HTTP.send(request, HttpResponse.BodyHandlers.ofLines());
        assertEquals(200, response.statusCode());
        assertEquals(
                "text/event-stream",
                response.headers().firstValue("Content-Type").orElse("").split(";", -1)[0]);
        List<String> lines = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> reading = CompletableFuture.runAsync(() -> {
            try (Stream<String> body = response.body()) {
                body.forEach(lines::add);
            }
        });
        // The stream says when it follows from; records committed after that are sent.
        await().atMost(Duration.ofSeconds(30)).until(() -> lines.contains(": following events.out"));
        TestStack.postAcked(stack, "events", List.of("{\"id\":\"d\"}", "{\"id\":\"e\"}", "{\"id\":\"f\"}"));
        // limit=2: the server ends the stream after two records.
        reading.get(1, TimeUnit.MINUTES);
        List<String> ids = new ArrayList<>();
        for (String line : lines) {
            if (line.startsWith("data:")) {
                ids.add(JSON.readTree(line.substring(5).strip())
                        .path("value")
                        .path("id")
                        .asText());
            }
        }
        assertEquals(List.of("d", "e"), ids, lines.toString());
        assertTrue(lines.contains("event: record"), lines.toString());
    }

    @Test
    @Order(2)
    void sluiceTailPrintsRecordsAndDeadLetterReasons() throws Exception {
        String url = stack.httpBaseUrl();
        CliRun dlq = CliRun.sluice("tail", "events", "--dlq", "--url", url);
        assertEquals(0, dlq.exit(), dlq.err());
        List<String> lines = dlq.out().strip().lines().toList();
        assertEquals(1, lines.size(), dlq.out());
        assertTrue(lines.get(0).matches(".*  events\\.dlq \\d+@0  transform fail-on-bad: .*"), dlq.out());
        assertTrue(lines.get(0).endsWith("{\"id\":\"c\",\"bad\":1}"), dlq.out());

        CliRun json = CliRun.sluice("tail", "events", "-n", "2", "--url", url, "--json");
        assertEquals(0, json.exit(), json.err());
        List<String> ids = new ArrayList<>();
        for (String line : json.out().strip().lines().toList()) {
            ids.add(JSON.readTree(line).path("value").path("id").asText());
        }
        assertEquals(2, ids.size(), json.out());

        // --next waits for records committed from now on; post until it has two.
        CompletableFuture<CliRun> waiting =
                CompletableFuture.supplyAsync(() -> CliRun.sluice("tail", "events", "--next", "2", "--url", url));
        CliRun next = null;
        for (int posted = 0; next == null; posted++) {
            assertTrue(posted < 300, "sluice tail --next 2 did not end after 300 records were posted");
            TestStack.postAcked(stack, "events", List.of("{\"id\":\"n" + posted + "\"}"));
            try {
                next = waiting.get(200, TimeUnit.MILLISECONDS);
            } catch (TimeoutException stillWaiting) {
                // it may have started following after this record: post another
            }
        }
        assertEquals(0, next.exit(), next.err());
        List<String> nextLines = next.out().strip().lines().toList();
        assertEquals(2, nextLines.size(), next.out());
        assertTrue(nextLines.get(0).matches(".*  events \\d+@\\d+  \\{\"id\":\"n\\d+\"}"), next.out());

        CliRun unknown = CliRun.sluice("tail", "nope", "--url", url);
        assertEquals(1, unknown.exit());
        assertTrue(unknown.err().startsWith("sluice: 404 unknown_pipeline"), unknown.err());
    }

    private JsonNode records(String query) throws Exception {
        HttpResponse<String> response = get("/api/v1/pipelines/events/records" + query);
        assertEquals(200, response.statusCode(), response.body());
        return JSON.readTree(response.body()).path("result");
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create(stack.httpBaseUrl() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode error(HttpResponse<String> response) throws IOException {
        return JSON.readTree(response.body()).path("error");
    }

    private static List<String> ids(JsonNode records) {
        List<String> ids = new ArrayList<>();
        records.forEach(r -> ids.add(r.path("value").path("id").asText()));
        return ids;
    }
}

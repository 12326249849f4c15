package dev.sluice.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.wire.SluiceHeaders;
import dev.sluice.wire.Topics;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A request sent again with the same {@code Idempotency-Key} lands once in the output: when its first answer
 * was lost after Kafka committed it, when the retries go through two ingest processes at once, and when the
 * retry comes after a restart. Counted by id in the objects written.
 */
class IdempotentRetriesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String PIPELINES = """
            pipelines:
              - name: events
                partitions: 4
                sink: { batch: { maxDuration: 1s } }
              - name: keyed
                partitions: 4
                partitionKey: $.k
                sink: { batch: { maxDuration: 1s } }
            """;

    @RegisterExtension
    static final StackExtension running = new StackExtension(PIPELINES);

    @TempDir
    Path dir;

    @Test
    void aRetryAfterTheAnswerWasLostIsAnsweredAndLandsOnce() throws Exception {
        List<String> ids = ids("lost", 50);
        String body = array(ids, false);
        // The first attempt's connection is cut once Kafka has committed it, before its answer is read.
        try (Socket socket =
                new Socket(InetAddress.getLoopbackAddress(), running.stack().httpPort())) {
            OutputStream out = socket.getOutputStream();
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            out.write(("POST /ingest/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                            + "Idempotency-Key: lost-1\r\nContent-Length: " + bytes.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.flush();
            await().atMost(Duration.ofSeconds(30)).until(() -> keyedInput("events", "lost-1") == 50);
        }

        HttpResponse<String> retry = post(running.stack().httpBaseUrl(), "events", "lost-1", body);
        assertEquals(200, retry.statusCode(), retry.body());
        assertEquals("{\"success\":true,\"result\":{\"committed\":50}}", retry.body());
        assertOnceInOutput("events", "lost", ids);
    }

    @Test
    void theSameKeyForAnotherBodyIs422AndWritesNothing() throws Exception {
        List<String> first = ids("reuse-a", 3);
        assertEquals(
                200,
                post(running.stack().httpBaseUrl(), "events", "reuse", array(first, false))
                        .statusCode());
        HttpResponse<String> other =
                post(running.stack().httpBaseUrl(), "events", "reuse", array(ids("reuse-b", 3), false));

        assertEquals(422, other.statusCode(), other.body());
        assertEquals(
                "idempotency_key_reused",
                JSON.readTree(other.body()).at("/error/code").asText(),
                other.body());
        assertEquals(3, keyedInput("events", "reuse"), "only the first body was written");
        assertOnceInOutput("events", "reuse-", first);
    }

    @Test
    void aKeyThatIsNotVisibleAsciiIs400() throws Exception {
        for (String key : List.of("has space", "x".repeat(256))) {
            HttpResponse<String> bad = post(running.stack().httpBaseUrl(), "events", key, "{\"id\":\"never\"}");
            assertEquals(400, bad.statusCode(), bad.body());
            assertEquals(
                    "invalid_idempotency_key",
                    JSON.readTree(bad.body()).at("/error/code").asText());
        }
    }

    @Test
    void aWebSocketFrameCarriesItsKeyOnAFirstLineAndPlainFramesStillWork() throws Exception {
        List<String> keyed = ids("wsk", 4);
        List<String> plain = ids("wsp", 2);
        String frame = "Idempotency-Key: ws-1\n" + ndjson(keyed);
        try (WsClient ws = WsClient.connect(running.stack(), "events", null, null)) {
            ws.sendAll(List.of(frame, ndjson(plain), frame, "Idempotency-Key: ws-1\r\n" + ndjson(keyed)));
            await().atMost(Duration.ofSeconds(30)).until(() -> ws.answers().size() == 4);
            for (JsonNode answer : ws.answers()) {
                assertTrue(answer.path("success").asBoolean(), answer.toString());
            }
        }
        List<String> all = new ArrayList<>(keyed);
        all.addAll(plain);
        assertOnceInOutput("events", "ws", all);
    }

    @Test
    void concurrentRetriesThroughTwoIngestProcessesLandOnce() throws Exception {
        int httpPort = TestStack.freePorts(1)[0];
        try (ChildProcess second = ChildProcess.run(
                "ingest2", "ingest", PIPELINES, running.stack(), Files.createDirectories(dir), httpPort)) {
            second.start("-Xmx256m");
            String secondUrl = "http://127.0.0.1:" + httpPort;
            await().atMost(Duration.ofSeconds(90))
                    .ignoreExceptions()
                    .until(() -> HTTP.send(
                                            HttpRequest.newBuilder(URI.create(secondUrl + "/healthz"))
                                                    .build(),
                                            HttpResponse.BodyHandlers.ofString())
                                    .statusCode()
                            == 200);

            List<String> sent = new ArrayList<>();
            List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
            for (int r = 0; r < 10; r++) {
                List<String> ids = ids("two" + r + "-", 20);
                sent.addAll(ids);
                String body = array(ids, true);
                for (String url : List.of(
                        running.stack().httpBaseUrl(),
                        secondUrl,
                        running.stack().httpBaseUrl())) {
                    answers.add(HTTP.sendAsync(
                            request(url, "keyed", "two-" + r, body), HttpResponse.BodyHandlers.ofString()));
                }
            }
            for (CompletableFuture<HttpResponse<String>> answer : answers) {
                HttpResponse<String> response = answer.get();
                assertEquals("{\"success\":true,\"result\":{\"committed\":20}}", response.body());
            }
            // Both processes wrote each request: the duplicates were dropped after Kafka, not before.
            assertTrue(IntStream.range(0, 10).allMatch(r -> keyedInput("keyed", "two-" + r) >= 40));
            assertOnceInOutput("keyed", "two", sent);
        }
    }

    @Test
    void aRetryAfterARestartLandsOnce() throws Exception {
        DevOptions options = TestStack.freePorts(dir.resolve("restart"));
        List<String> ids = ids("restart", 40);
        String body = array(ids, true);
        try (DevStack first = DevStack.start(TestStack.config(PIPELINES), options, written -> {})) {
            assertEquals(
                    200, post(first.httpBaseUrl(), "keyed", "restart-1", body).statusCode());
        }
        DevOptions samePorts =
                new DevOptions(options.dataDir(), 0, options.kafkaPort(), options.kafkaControllerPort(), 0);
        try (DevStack second = DevStack.start(TestStack.config(PIPELINES), samePorts, written -> {});
                S3Client s3 = TestStack.s3(second)) {
            HttpResponse<String> retry = post(second.httpBaseUrl(), "keyed", "restart-1", body);
            assertEquals("{\"success\":true,\"result\":{\"committed\":40}}", retry.body());
            // The new process did not know the key: it wrote the records again, and the processor dropped them.
            assertEquals(80, keyed(TestStack.readCommitted(second, Topics.input("keyed")), "restart-1"));
            assertOnceInOutput(second, s3, "keyed", "restart", ids);
        }
    }

    private static void assertOnceInOutput(String pipeline, String idPrefix, List<String> ids) throws Exception {
        assertOnceInOutput(running.stack(), running.s3(), pipeline, idPrefix, ids);
    }

    /**
     * Waits until the pipeline has settled (the processor has read every record in its input now, and the sink
     * has written everything the processor passed on: a duplicate would be in an object by then), then counts
     * the output by id.
     */
    private static void assertOnceInOutput(
            DevStack stack, S3Client s3, String pipeline, String idPrefix, List<String> ids) throws Exception {
        long written = endOffsets(stack, Topics.input(pipeline));
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    JsonNode stats = JSON.readTree(TestStack.get(stack, "/api/v1/pipelines/" + pipeline)
                                    .body())
                            .path("result")
                            .path("stats");
                    return stats.path("recordsIn").asLong() >= written
                            && stats.path("processorLag").asLong() == 0
                            && stats.path("backlog").asLong() == 0;
                });
        List<JsonNode> output = TestStack.allRecords(s3, "sluice", pipeline).stream()
                .filter(r -> r.path("id").asText().startsWith(idPrefix))
                .toList();
        ExactlyOnce.assertEveryIdOnce(ids, output);
    }

    /** Every offset ever taken in the topic: its records and transaction markers. */
    private static long endOffsets(DevStack stack, String topic) throws Exception {
        try (Admin admin = Admin.create(stack.config().kafka().clientProperties())) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < 4; p++) {
                latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            return admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).values().stream()
                    .mapToLong(ListOffsetsResultInfo::offset)
                    .sum();
        }
    }

    private static long keyedInput(String pipeline, String key) {
        return keyed(TestStack.readCommitted(running.stack(), Topics.input(pipeline)), key);
    }

    private static long keyed(List<ConsumerRecord<byte[], byte[]>> records, String key) {
        return records.stream()
                .filter(r -> key.equals(TestStack.header(r, SluiceHeaders.IDEMPOTENCY_KEY)))
                .count();
    }

    private static List<String> ids(String prefix, int n) {
        return IntStream.range(0, n).mapToObj(i -> prefix + "-" + i).toList();
    }

    /** A JSON array of records with those ids; {@code spread} gives each its own partition key. */
    private static String array(List<String> ids, boolean spread) {
        List<String> records = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            records.add("{\"id\":\"" + ids.get(i) + "\"" + (spread ? ",\"k\":\"k" + i + "\"" : "") + "}");
        }
        return "[" + String.join(",", records) + "]";
    }

    private static String ndjson(List<String> ids) {
        StringBuilder lines = new StringBuilder();
        ids.forEach(id -> lines.append("{\"id\":\"").append(id).append("\"}\n"));
        return lines.toString();
    }

    private static HttpRequest request(String baseUrl, String pipeline, String key, String body) {
        return HttpRequest.newBuilder(URI.create(baseUrl + "/ingest/" + pipeline))
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", key)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    private static HttpResponse<String> post(String baseUrl, String pipeline, String key, String body)
            throws Exception {
        return HTTP.send(request(baseUrl, pipeline, key, body), HttpResponse.BodyHandlers.ofString());
    }
}

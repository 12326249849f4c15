package dev.sluice.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.wire.SluiceHeaders;
import dev.sluice.wire.Topics;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The ingest front door against a real broker: every refusal writes nothing; every acceptance is whole. */
class IngestTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @RegisterExtension
    static final StackExtension running = new StackExtension("""
                        pipelines:
                          - name: keyed
                            partitions: 3
                            partitionKey: $.merchantId
                            sink: { batch: { maxDuration: 1s } }
                          - name: secured
                            partitions: 1
                            http:
                              auth: { tokens: [s3cret] }
                              cors: { origins: ["https://app.example.com"] }
                              maxRequestBytes: 64KB
                              maxRecordBytes: 1KB
                            schema:
                              fields:
                                - { name: id, type: string, required: true }
                                - { name: amount, type: float64 }
                            sink: { batch: { maxDuration: 1s } }
                          - name: corpus
                            partitions: 1
                            http: { maxRequestBytes: 1MB, maxRecordBytes: 64KB }
                            sink: { batch: { maxDuration: 1s } }
                          - name: socket
                            partitions: 2
                            sink: { batch: { maxRecords: 2500, maxDuration: 1s } }
                        """);

    private static HttpResponse<String> send(String method, String pipeline, Map<String, String> headers, byte[] body)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        URI.create(running.stack().httpBaseUrl() + "/ingest/" + pipeline))
                .method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String pipeline, Map<String, String> headers, String body)
            throws Exception {
        return send("POST", pipeline, headers, body.getBytes(StandardCharsets.UTF_8));
    }

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    private static void assertRefused(HttpResponse<String> response, int status, String code) throws Exception {
        assertEquals(status, response.statusCode(), response.body());
        JsonNode body = json(response.body());
        assertFalse(body.get("success").asBoolean(), response.body());
        assertEquals(code, body.at("/error/code").asText(), response.body());
        assertFalse(body.at("/error/message").asText().isEmpty());
        assertFalse(response.body().contains("\tat "), "no stack traces to clients: " + response.body());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
    }

    static byte[] gzip(byte[] data) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    private static final Map<String, String> TOKEN = Map.of("Authorization", "Bearer s3cret");

    @Test
    void everyRefusalHasItsStatusAndWritesNothing() throws Exception {
        // Every refused record has an id starting "refused-"; none of them may ever become readable.
        assertRefused(post("secured", Map.of(), "[{\"id\":\"refused-1\"}]"), 401, "unauthorized");
        assertRefused(
                post("secured", Map.of("Authorization", "Bearer nope"), "[{\"id\":\"refused-2\"}]"), 403, "forbidden");
        assertRefused(post("nowhere", TOKEN, "[{\"id\":\"refused-3\"}]"), 404, "unknown_pipeline");
        assertRefused(send("GET", "secured", TOKEN, null), 405, "method_not_allowed");
        assertRefused(post("secured", TOKEN, "[{\"id\":\"refused-4\"}, {\"id\":"), 400, "invalid_json");
        HttpResponse<String> schema = post(
                "secured",
                TOKEN,
                "[{\"id\":\"refused-5\",\"amount\":1.5}, {\"id\":\"refused-6\",\"amount\":\"lots\"}]");
        assertRefused(schema, 400, "schema_mismatch");
        assertEquals(1, json(schema.body()).at("/error/index").asInt());
        assertTrue(json(schema.body()).at("/error/message").asText().contains("'amount'"), schema.body());
        assertRefused(post("secured", TOKEN, "[{\"refused\":\"refused-7\",\"amount\":2}]"), 400, "schema_mismatch");
        HttpResponse<String> record =
                post("secured", TOKEN, "[{\"id\":\"refused-8\"}, {\"id\":\"refused-9" + "x".repeat(2000) + "\"}]");
        assertRefused(record, 413, "record_too_large");
        assertEquals(1, json(record.body()).at("/error/index").asInt());
        StringBuilder big = new StringBuilder("[");
        for (int i = 0; i < 1000; i++) {
            big.append(i == 0 ? "" : ",")
                    .append("{\"id\":\"refused-10-")
                    .append("y".repeat(100))
                    .append("\"}");
        }
        assertRefused(post("secured", TOKEN, big + "]"), 413, "request_too_large");
        assertRefused(
                post(
                        "secured",
                        Map.of("Authorization", "Bearer s3cret", "Content-Type", "application/xml"),
                        "[{\"id\":\"refused-11\"}]"),
                415,
                "unsupported_media_type");
        assertRefused(
                send(
                        "POST",
                        "secured",
                        Map.of("Authorization", "Bearer s3cret", "Content-Encoding", "br"),
                        "[{\"id\":\"refused-12\"}]".getBytes(StandardCharsets.UTF_8)),
                415,
                "unsupported_encoding");
        assertRefused(
                send(
                        "POST",
                        "secured",
                        Map.of("Authorization", "Bearer s3cret", "Content-Encoding", "gzip"),
                        "[{\"id\":\"refused-13\"}]".getBytes(StandardCharsets.UTF_8)),
                400,
                "invalid_gzip");

        HttpResponse<String> ok = post("secured", TOKEN, "[{\"id\":\"fine\",\"amount\":3}]");
        assertEquals(200, ok.statusCode(), ok.body());
        // Once the accepted record is readable, everything before it is too: no refused one may be there.
        await().atMost(Duration.ofSeconds(30))
                .until(() -> TestStack.committedValues(running.stack(), "secured")
                        .contains("{\"id\":\"fine\",\"amount\":3}"));
        List<String> readable = TestStack.committedValues(running.stack(), "secured");
        assertEquals(
                List.of(), readable.stream().filter(v -> v.contains("refused-")).toList());
        assertEquals(1, readable.stream().filter(v -> v.contains("\"fine\"")).count());
    }

    /** Bodies no client should be able to get past the front door, over HTTP and WebSocket. */
    private static List<byte[]> malformedCorpus() throws Exception {
        List<byte[]> corpus = new ArrayList<>();
        for (String text : List.of(
                "",
                " ",
                "[",
                "{",
                "[{\"a\":1}",
                "[{\"a\":1},]",
                "{\"a\":}",
                "[{\"a\" 1}]",
                "nul",
                "null",
                "42",
                "\"text\"",
                "[1,2]",
                "[[{}]]",
                "[{}, \"x\"]",
                "[{\"a\":1}] trailing",
                "{\"a\":1}{\"b\":2",
                "[{\"id\":1,\"id\":2}]",
                "{\"a\":\"\\u12\"}",
                "[{\"a\":NaN}]",
                "{'single':'quotes'}",
                "[" + "{\"a\":".repeat(200) + "1" + "}".repeat(200) + "]",
                "[{\"huge\":\"" + "h".repeat(70_000) + "\"}]",
                "[{\"a\":1}, {\"b\":\"" + "\u0000" + "\"}]")) {
            corpus.add(text.getBytes(StandardCharsets.UTF_8));
        }
        return corpus;
    }

    @Test
    void malformedInputGetsACleanErrorAndWritesNothing() throws Exception {
        for (byte[] body : malformedCorpus()) {
            HttpResponse<String> r = send("POST", "corpus", Map.of(), body);
            assertTrue(
                    r.statusCode() >= 400 && r.statusCode() < 500,
                    "HTTP " + r.statusCode() + " for "
                            + new String(body, 0, Math.min(60, body.length), StandardCharsets.UTF_8));
            assertFalse(json(r.body()).get("success").asBoolean());
        }
        byte[] invalidUtf8 = {'[', '{', '"', 's', '"', ':', '"', (byte) 0xFF, (byte) 0xFE, '"', '}', ']'};
        assertRefused(send("POST", "corpus", Map.of(), invalidUtf8), 400, "invalid_json");
        byte[] bomb = gzip(new byte[256 << 20]);
        assertRefused(send("POST", "corpus", Map.of("Content-Encoding", "gzip"), bomb), 413, "request_too_large");
        assertRefused(
                post("corpus", Map.of("Content-Type", "multipart/form-data; boundary=x"), "[{}]"),
                415,
                "unsupported_media_type");
        assertRefused(
                post("corpus", Map.of("Content-Type", "application/x-ndjson"), "{\"a\":1}\n[2]"), 400, "invalid_json");

        try (WsClient ws = WsClient.connect(running.stack(), "corpus", null, null)) {
            List<String> frames = new ArrayList<>();
            for (byte[] body : malformedCorpus()) {
                frames.add(new String(body, StandardCharsets.UTF_8));
            }
            ws.sendAll(frames);
            await().atMost(Duration.ofSeconds(30)).until(() -> ws.answers().size() == frames.size());
            List<JsonNode> answers = ws.answers();
            for (int i = 0; i < answers.size(); i++) {
                JsonNode answer = answers.get(i);
                assertEquals(i + 1, answer.get("seq").asInt(), answer.toString());
                assertFalse(answer.get("success").asBoolean(), "frame " + (i + 1) + " was accepted: " + frames.get(i));
                int status = answer.at("/error/code").asText().equals("record_too_large") ? 413 : 400;
                assertTrue(status >= 400, answer.toString());
            }
            ws.sendAll(List.of("{\"after\":\"corpus\"}"));
            await().atMost(Duration.ofSeconds(30)).until(() -> ws.answers().size() == frames.size() + 1);
            assertTrue(ws.answers().get(frames.size()).get("success").asBoolean(), "the connection stays usable");
        }

        assertEquals(200, TestStack.get(running.stack(), "/healthz").statusCode());
        await().atMost(Duration.ofSeconds(30))
                .until(() ->
                        !TestStack.committedValues(running.stack(), "corpus").isEmpty());
        assertEquals(List.of("{\"after\":\"corpus\"}"), TestStack.committedValues(running.stack(), "corpus"));
        assertEquals(List.of(), TestStack.committedValues(running.stack(), Topics.deadLetters("corpus")));
    }

    @Test
    void gzipAndNdjsonBodiesAreAccepted() throws Exception {
        byte[] ndjson = "{\"id\":\"n1\",\"merchantId\":\"m\"}\n{\"id\":\"n2\",\"merchantId\":\"m\"}\n"
                .getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> r = send(
                "POST",
                "keyed",
                Map.of("Content-Type", "application/x-ndjson", "Content-Encoding", "gzip"),
                gzip(ndjson));
        assertEquals("{\"success\":true,\"result\":{\"committed\":2}}", r.body());
    }

    @Test
    void partitionKeyKeepsEachKeysRecordsInOnePartitionInOrder() throws Exception {
        List<String> records = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            records.add("{\"id\":\"k" + i + "\",\"merchantId\":" + (i % 5) + ",\"seq\":" + i + "}");
        }
        for (int from = 0; from < records.size(); from += 50) {
            TestStack.postAcked(running.stack(), "keyed", records.subList(from, from + 50));
        }
        // A commit is durable when acknowledged; its markers reach the partitions a moment later.
        await().atMost(Duration.ofSeconds(30))
                .until(() -> read("keyed").stream()
                                .filter(r -> new String(r.value(), StandardCharsets.UTF_8).contains("\"seq\""))
                                .count()
                        == records.size());
        Map<String, List<ConsumerRecord<byte[], byte[]>>> byKey = read("keyed").stream()
                .filter(r -> new String(r.value(), StandardCharsets.UTF_8).contains("\"seq\""))
                .collect(Collectors.groupingBy(r -> new String(r.key(), StandardCharsets.UTF_8)));
        assertEquals(5, byKey.size(), byKey.keySet().toString());
        for (var entry : byKey.entrySet()) {
            List<ConsumerRecord<byte[], byte[]>> ofKey = entry.getValue();
            assertEquals(
                    1, ofKey.stream().map(ConsumerRecord::partition).distinct().count(), "key " + entry.getKey());
            List<Integer> seqs = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> r : ofKey) {
                seqs.add(JSON.readTree(r.value()).get("seq").asInt());
            }
            assertEquals(seqs.stream().sorted().toList(), seqs, "key " + entry.getKey() + " out of order");
            assertEquals(60, seqs.size());
        }
    }

    @Test
    void everyRecordCarriesIngestTimeSourceAndRequestId() throws Exception {
        long before = System.currentTimeMillis();
        HttpResponse<String> r = post("keyed", Map.of(), "{\"id\":\"h1\",\"merchantId\":\"headers\"}");
        assertEquals(200, r.statusCode());
        String requestId = r.headers().firstValue("X-Request-Id").orElseThrow();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> read("keyed").stream()
                        .anyMatch(c -> new String(c.value(), StandardCharsets.UTF_8).contains("\"h1\"")));
        ConsumerRecord<byte[], byte[]> record = read("keyed").stream()
                .filter(c -> new String(c.value(), StandardCharsets.UTF_8).contains("\"h1\""))
                .findFirst()
                .orElseThrow();
        assertEquals(requestId, header(record, SluiceHeaders.REQUEST_ID));
        assertEquals("http", header(record, SluiceHeaders.SOURCE));
        // The record's timestamp is its ingest time; no header repeats it.
        assertTrue(record.timestamp() >= before && record.timestamp() <= System.currentTimeMillis());
        assertEquals(null, record.headers().lastHeader(SluiceHeaders.INGEST_TIME));
    }

    @Test
    void corsIsAnsweredOnlyWhereConfigured() throws Exception {
        HttpResponse<String> preflight = send(
                "OPTIONS",
                "secured",
                Map.of(
                        "Origin",
                        "https://app.example.com",
                        "Access-Control-Request-Method",
                        "POST",
                        "Access-Control-Request-Headers",
                        "authorization, content-type"),
                null);
        assertEquals(204, preflight.statusCode());
        assertEquals(
                "https://app.example.com",
                preflight.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
        assertTrue(preflight
                .headers()
                .firstValue("Access-Control-Allow-Methods")
                .orElse("")
                .contains("POST"));
        assertTrue(preflight
                .headers()
                .firstValue("Access-Control-Allow-Headers")
                .orElse("")
                .contains("Authorization"));

        assertEquals(
                403,
                send(
                                "OPTIONS",
                                "secured",
                                Map.of("Origin", "https://evil.example.com", "Access-Control-Request-Method", "POST"),
                                null)
                        .statusCode());

        HttpResponse<String> actual = post(
                "secured",
                Map.of("Authorization", "Bearer s3cret", "Origin", "https://app.example.com"),
                "{\"id\":\"cors\"}");
        assertEquals(200, actual.statusCode());
        assertEquals(
                "https://app.example.com",
                actual.headers().firstValue("Access-Control-Allow-Origin").orElse(null));

        HttpResponse<String> unconfigured =
                post("keyed", Map.of("Origin", "https://app.example.com"), "{\"id\":\"no-cors\"}");
        assertEquals(200, unconfigured.statusCode());
        assertTrue(
                unconfigured.headers().firstValue("Access-Control-Allow-Origin").isEmpty());
    }

    @Test
    void webSocketPipelinedFramesAreAnsweredInOrderAndAllLand() throws Exception {
        int frames = 1000;
        List<String> sent = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        for (int f = 0; f < frames; f++) {
            StringBuilder frame = new StringBuilder();
            for (int r = 0; r < 10; r++) {
                String id = "w" + f + "-" + r;
                sent.add(id);
                frame.append(f % 2 == 0 ? (r == 0 ? "[" : ",") : "")
                        .append("{\"id\":\"")
                        .append(id)
                        .append("\"}")
                        .append(f % 2 == 0 ? (r == 9 ? "]" : "") : "\n");
            }
            texts.add(frame.toString());
        }
        try (WsClient ws = WsClient.connect(running.stack(), "socket", null, null)) {
            ws.sendAll(texts);
            await().atMost(Duration.ofSeconds(60)).until(() -> ws.answers().size() == frames);
            List<JsonNode> answers = ws.answers();
            for (int i = 0; i < frames; i++) {
                assertEquals(
                        "{\"seq\":" + (i + 1) + ",\"success\":true,\"committed\":10}",
                        answers.get(i).toString());
            }
        }
        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(500))
                .until(() ->
                        TestStack.allRecords(running.s3(), "sluice", "socket").size() >= sent.size());
        ExactlyOnce.assertEveryIdOnce(sent, TestStack.allRecords(running.s3(), "sluice", "socket"));
    }

    @Test
    void webSocketNeedsTheSameTokensAsHttp() throws Exception {
        ExecutionException missing =
                assertThrows(ExecutionException.class, () -> WsClient.connect(running.stack(), "secured", null, null));
        assertEquals(
                401,
                ((WebSocketHandshakeException) missing.getCause()).getResponse().statusCode());
        ExecutionException wrong = assertThrows(
                ExecutionException.class, () -> WsClient.connect(running.stack(), "secured", "token=nope", null));
        assertEquals(
                403,
                ((WebSocketHandshakeException) wrong.getCause()).getResponse().statusCode());
        ExecutionException unknown =
                assertThrows(ExecutionException.class, () -> WsClient.connect(running.stack(), "nowhere", null, null));
        assertEquals(
                404,
                ((WebSocketHandshakeException) unknown.getCause()).getResponse().statusCode());

        try (WsClient header = WsClient.connect(running.stack(), "secured", null, "Bearer s3cret");
                WsClient query = WsClient.connect(running.stack(), "secured", "token=s3cret", null)) {
            header.sendAll(List.of("{\"id\":\"ws-header\"}", "{\"nope\":1}"));
            query.sendAll(List.of("[{\"id\":\"ws-query\"}]"));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> header.answers().size() == 2 && query.answers().size() == 1);
            assertEquals(
                    "{\"seq\":1,\"success\":true,\"committed\":1}",
                    header.answers().get(0).toString());
            assertEquals(
                    "schema_mismatch", header.answers().get(1).at("/error/code").asText());
            assertEquals(0, header.answers().get(1).at("/error/index").asInt());
            assertEquals(
                    "{\"seq\":1,\"success\":true,\"committed\":1}",
                    query.answers().get(0).toString());
        }
    }

    @Test
    void metricsAreExportedForPrometheus() throws Exception {
        post("keyed", Map.of(), "{\"id\":\"m1\",\"merchantId\":1}");
        post("keyed", Map.of(), "[1]");
        String metrics = TestStack.get(running.stack(), "/metrics").body();
        for (String series : List.of(
                "sluice_ingest_requests_total{pipeline=\"keyed\",source=\"http\",status=\"200\"}",
                "sluice_ingest_errors_total{code=\"invalid_json\",pipeline=\"keyed\",source=\"http\"}",
                "sluice_ingest_records_total{pipeline=\"keyed\",source=\"http\"}",
                "sluice_ingest_produce_latency_seconds_bucket{pipeline=\"keyed\",source=\"http\"",
                "sluice_ingest_backlog_records{pipeline=\"keyed\"}",
                "sluice_ingest_websocket_connections{pipeline=\"socket\"}")) {
            assertTrue(metrics.contains(series), "missing " + series + " in\n" + metrics);
        }
    }

    private static List<ConsumerRecord<byte[], byte[]>> read(String topic) {
        return TestStack.readCommitted(running.stack(), topic);
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        return TestStack.header(record, name);
    }
}

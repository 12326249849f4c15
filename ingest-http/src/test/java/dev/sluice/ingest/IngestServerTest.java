package dev.sluice.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.config.ConfigLoader;
import dev.sluice.config.KafkaConfig;
import dev.sluice.health.HealthCheck;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The HTTP shapes of refusals and health, with no Kafka at all: nothing listens at the producer's bootstrap address. */
class IngestServerTest {
    private final HttpClient http = HttpClient.newHttpClient();
    private RecordSender sender;
    private IngestServer server;

    @BeforeEach
    void start() {
        // Nothing listens here; the producer connects lazily and these requests never produce.
        sender = new RecordSender(new KafkaConfig("127.0.0.1:1"), "test", 1, 1 << 20, 1 << 20);
        server = new IngestServer(
                        new ConfigLoader(Map.of()).parse("pipelines: [{name: events}]"),
                        sender,
                        new Backpressure(pipeline -> -1, sender),
                        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                        List.of(HealthCheck.of("kafka", () -> {}), HealthCheck.of("storage", () -> {
                            throw new IllegalStateException("bucket sluice: connection refused");
                        })),
                        "127.0.0.1",
                        0)
                .start();
    }

    @AfterEach
    void stop() throws InterruptedException {
        server.close();
        sender.close();
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder to(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path));
    }

    @Test
    void healthNamesTheFailingDependency() throws Exception {
        HttpResponse<String> r = send(to("/healthz"));
        assertEquals(503, r.statusCode());
        assertEquals(
                "{\"checks\":{\"kafka\":\"ok\",\"storage\":\"bucket sluice: connection refused\"},\"status\":\"unavailable\"}",
                r.body());
    }

    @Test
    void unknownPipelineIs404WithARequestId() throws Exception {
        HttpResponse<String> r = send(to("/ingest/nope").POST(HttpRequest.BodyPublishers.ofString("{}")));
        assertEquals(404, r.statusCode());
        assertEquals(
                "{\"success\":false,\"error\":{\"code\":\"unknown_pipeline\",\"message\":\"no pipeline named 'nope'\"}}",
                r.body());
        assertTrue(r.headers().firstValue("X-Request-Id").isPresent());
    }

    @Test
    void bodyOverTheLimitIs413InTheSameJsonShape() throws Exception {
        String big = "[{\"x\":\"" + "a".repeat(5 << 20) + "\"}]";
        HttpResponse<String> r = send(to("/ingest/events").POST(HttpRequest.BodyPublishers.ofString(big)));
        assertEquals(413, r.statusCode(), r.body());
        assertTrue(
                r.body()
                        .startsWith("{\"success\":false,\"error\":{\"code\":\"request_too_large\","
                                + "\"message\":\"the request body is larger than 5242880 bytes"),
                r.body());
        assertTrue(!r.body().contains("\tat "), r.body());
    }

    /**
     * Refused before its body is read: the server reads and drops the rest before it answers, since closing on
     * unread bytes resets the connection and the client can lose the answer ("header parser received no bytes").
     */
    @Test
    void aClientStillSendingARefusedBodyGetsTheAnswer() throws Exception {
        String big = "[{\"x\":\"" + "a".repeat(6 << 20) + "\"}]";
        for (int i = 0; i < 10; i++) {
            HttpResponse<String> r = send(to("/ingest/events").POST(HttpRequest.BodyPublishers.ofString(big)));
            assertEquals(413, r.statusCode(), r.body());
        }
    }

    @Test
    void chunkedBodyOverTheLimitIs413Too() throws Exception {
        byte[] big = ("[{\"x\":\"" + "a".repeat(5 << 20) + "\"}]").getBytes(StandardCharsets.UTF_8);
        // No length known up front: the client sends it chunked, so the limit is found while reading.
        HttpResponse<String> r = send(to("/ingest/events")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big))));
        assertEquals(413, r.statusCode(), r.body());
        assertTrue(r.body().contains("\"code\":\"request_too_large\""), r.body());
    }

    /** A body far larger than one of Jetty's reads arrives whole and in order. */
    @Test
    void aLargeBodyArrivesWholeAndInOrder() throws Exception {
        StringBuilder body = new StringBuilder("[");
        for (int i = 0; i < 20_000; i++) {
            body.append("{\"id\":")
                    .append(i)
                    .append(",\"pad\":\"")
                    .append("p".repeat(30))
                    .append("\"},");
        }
        String valid = body.substring(0, body.length() - 1) + "]";
        HttpResponse<String> r = send(to("/ingest/events").POST(HttpRequest.BodyPublishers.ofString(valid)));
        assertEquals(503, r.statusCode(), r.body()); // parsed whole; then no Kafka to take it
        String lastBroken = body + "{\"id\":20000,}]";
        r = send(to("/ingest/events").POST(HttpRequest.BodyPublishers.ofString(lastBroken)));
        assertEquals(400, r.statusCode(), r.body());
        assertTrue(r.body().contains("\"index\":20000"), r.body());
    }

    @Test
    void aBodyShorterThanItsContentLengthIs400() throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            socket.setSoTimeout(60_000);
            socket.getOutputStream()
                    .write(("POST /ingest/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                    + "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n[{\"a\":1}")
                            .getBytes(StandardCharsets.US_ASCII));
            socket.shutdownOutput();
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(answer.startsWith("HTTP/1.1 400"), answer);
            assertTrue(answer.contains("\"code\":\"bad_request\""), answer);
        }
    }

    @Test
    void anUndecodableQueryIsNoServerError() throws Exception {
        // Javalin read such a query as having no parameters; the endpoint does the same. A raw socket,
        // because java.net.URI refuses to send it.
        String body = "[{\"a\":1}]";
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            socket.setSoTimeout(60_000);
            socket.getOutputStream()
                    .write(("POST /ingest/events?token=a%zz HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                    + "Content-Type: application/json\r\nContent-Length: " + body.length()
                                    + "\r\nConnection: close\r\n\r\n" + body)
                            .getBytes(StandardCharsets.US_ASCII));
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(answer.startsWith("HTTP/1.1 503"), answer);
            assertTrue(answer.contains("\"code\":\"kafka_unavailable\""), answer);
        }
    }

    @Test
    void kafkaUnreachableIs503WithRetryAfter() throws Exception {
        HttpResponse<String> r = send(to("/ingest/events").POST(HttpRequest.BodyPublishers.ofString("[{\"a\":1}]")));
        assertEquals(503, r.statusCode(), r.body());
        assertTrue(r.body().startsWith("{\"success\":false,\"error\":{\"code\":\"kafka_unavailable\""), r.body());
        assertEquals("5", r.headers().firstValue("Retry-After").orElse(null));
    }

    @Test
    void invalidJsonIs400NamingTheRecord() throws Exception {
        HttpResponse<String> r = send(to("/ingest/events")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("[{\"a\":1},\"b\"]")));
        assertEquals(400, r.statusCode());
        assertEquals(
                "{\"success\":false,\"error\":{\"code\":\"invalid_json\",\"message\":\"record 1 is a string, not a JSON object\",\"index\":1}}",
                r.body());
    }
}

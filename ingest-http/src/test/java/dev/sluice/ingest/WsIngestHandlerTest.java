package dev.sluice.ingest;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.config.ConfigLoader;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The WebSocket side of the front door on Jetty's frame API: messages gathered from any number of frames, text or
 * binary, refused in-band when too large or not UTF-8, pings answered, and a connection that stops reading while
 * it has {@link WsIngestHandler#MAX_IN_FLIGHT_BYTES} unanswered. Producers are Kafka's MockProducer.
 */
class WsIngestHandlerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int RECORD_PAD = 1 << 20;

    private final MockProducers producers = new MockProducers();
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private RecordSender sender;
    private IngestServer server;

    @BeforeEach
    void start() {
        sender = new RecordSender(producers, 1, 64L << 20, RecordSender.GATHER);
        server = new IngestServer(
                        new ConfigLoader(Map.of()).parse("""
                                        pipelines:
                                          - name: big
                                            http: {maxRecordBytes: 2000000}
                                          - name: small
                                            http: {maxRequestBytes: 100000, maxRecordBytes: 100000}
                                        """),
                        sender,
                        new Backpressure(pipeline -> -1, sender),
                        registry,
                        List.of(),
                        "127.0.0.1",
                        0)
                .start();
    }

    @AfterEach
    void stop() throws InterruptedException {
        server.close();
        sender.close();
    }

    @Test
    void messagesOfAnyFramingAreAnsweredInOrderAndRefusalsKeepTheConnection() throws Exception {
        try (Client ws = Client.connect(server, "small")) {
            ws.await(ws.socket.sendText("[{\"id\":\"a\"},", false));
            ws.await(ws.socket.sendText("{\"id\":\"b\"}]", true));
            ws.await(ws.socket.sendBinary(utf8("{\"id\":\"c\"}"), true));
            ws.await(ws.socket.sendText("[{\"big\":\"" + "x".repeat(150_000) + "\"}]", true));
            ws.await(ws.socket.sendText("[{\"half\":\"" + "x".repeat(60_000) + "\"},", false));
            ws.await(ws.socket.sendText("{\"half\":\"" + "x".repeat(60_000) + "\"}]", true));
            byte[] notUtf8 = {'[', '{', '"', 's', '"', ':', '"', (byte) 0xFF, (byte) 0xFE, '"', '}', ']'};
            ws.await(ws.socket.sendBinary(ByteBuffer.wrap(notUtf8), true));
            ws.await(ws.socket.sendText("{\"id\":\"d\"}", true));
            ws.await(ws.socket.sendPing(utf8("are you there")));

            await().atMost(Duration.ofSeconds(10)).until(() -> ws.answers.size() == 6 && !ws.pongs.isEmpty());
            List<String> answers = new ArrayList<>();
            for (String text : ws.answers) {
                JsonNode answer = JSON.readTree(text);
                answers.add(answer.get("seq") + ":"
                        + (answer.get("success").asBoolean()
                                ? "committed " + answer.get("committed")
                                : answer.at("/error/code").asText()
                                        + (answer.at("/error").has("index") ? " " + answer.at("/error/index") : "")));
            }
            assertEquals(
                    List.of(
                            "1:committed 2",
                            "2:committed 1",
                            "3:request_too_large",
                            "4:request_too_large",
                            "5:invalid_json 0",
                            "6:committed 1"),
                    answers);
            assertEquals(
                    "are you there",
                    StandardCharsets.UTF_8.decode(ws.pongs.get(0)).toString());
            assertEquals(1, ws.pongs.size(), "one pong per ping");
            assertEquals(1, connections("small"));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> connections("small") == 0);
        assertEquals(List.of("{\"id\":\"a\"}", "{\"id\":\"b\"}", "{\"id\":\"c\"}", "{\"id\":\"d\"}"), produced());
    }

    @Test
    void aConnectionReadsNothingMoreWhileItsBoundIsUnanswered() throws Exception {
        int messages = 20;
        CountDownLatch release = new CountDownLatch(1);
        producers.hangNextCommitUntil(release);
        try (Client ws = Client.connect(server, "big")) {
            // Sent from another thread: once the server stops reading, the client's sends stop completing.
            CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
                for (int i = 0; i < messages; i++) {
                    ws.await(ws.socket.sendText(
                            "{\"id\":\"m" + i + "\",\"pad\":\"" + "p".repeat(RECORD_PAD) + "\"}", true));
                }
            });
            long bound = WsIngestHandler.MAX_IN_FLIGHT_BYTES;
            // The first commit hangs, so nothing is answered: the connection takes messages up to its bound...
            await().atMost(Duration.ofSeconds(30)).until(() -> sender.inFlightBytes() >= bound);
            long taken = sender.inFlightBytes();
            // ...and then no more, however long the client keeps sending.
            await().during(Duration.ofMillis(700))
                    .atMost(Duration.ofSeconds(5))
                    .until(() -> sender.inFlightBytes() == taken);
            assertEquals(bound / RECORD_PAD, taken / RECORD_PAD, "messages taken at the bound");

            release.countDown();
            await().atMost(Duration.ofSeconds(60)).until(() -> ws.answers.size() == messages);
            sending.get(10, TimeUnit.SECONDS);
            for (int i = 0; i < messages; i++) {
                assertEquals("{\"seq\":" + (i + 1) + ",\"success\":true,\"committed\":1}", ws.answers.get(i));
            }
        } finally {
            release.countDown(); // else a failed check leaves the lane in its commit and the stop waiting for it
        }
        List<String> ids = new ArrayList<>();
        for (String value : produced()) {
            ids.add(JSON.readTree(value).get("id").asText());
        }
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < messages; i++) {
            expected.add("m" + i);
        }
        assertEquals(expected, ids);
    }

    private double connections(String pipeline) {
        return registry.get("sluice.ingest.websocket.connections")
                .tag("pipeline", pipeline)
                .gauge()
                .value();
    }

    private List<String> produced() {
        List<String> values = new ArrayList<>();
        for (var lane : producers.lanes) {
            for (ProducerRecord<byte[], byte[]> record : lane.history()) {
                values.add(new String(record.value(), StandardCharsets.UTF_8));
            }
        }
        return values;
    }

    private static ByteBuffer utf8(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The JDK's WebSocket client, collecting every answer and pong. */
    private static final class Client implements WebSocket.Listener, AutoCloseable {
        final List<String> answers = new CopyOnWriteArrayList<>();
        final List<ByteBuffer> pongs = new CopyOnWriteArrayList<>();
        private final StringBuilder partial = new StringBuilder();
        WebSocket socket;

        static Client connect(IngestServer server, String pipeline) throws Exception {
            Client client = new Client();
            client.socket = HttpClient.newHttpClient()
                    .newWebSocketBuilder()
                    .buildAsync(URI.create("ws://127.0.0.1:" + server.port() + "/ingest/" + pipeline), client)
                    .get(10, TimeUnit.SECONDS);
            return client;
        }

        void await(CompletableFuture<WebSocket> send) {
            send.orTimeout(60, TimeUnit.SECONDS).join();
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) { // an answer is one message, in as many parts as the client's buffer needed
                answers.add(partial.toString());
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
            pongs.add(ByteBuffer.allocate(message.remaining()).put(message).flip());
            webSocket.request(1);
            return null;
        }

        @Override
        public void close() {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "done")
                    .orTimeout(5, TimeUnit.SECONDS)
                    .join();
        }
    }
}

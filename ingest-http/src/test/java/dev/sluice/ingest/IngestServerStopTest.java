package dev.sluice.ingest;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.sluice.config.ConfigLoader;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A stop (SIGTERM in a rolling restart) while a request waits for Kafka: the request still gets the
 * answer Kafka gives it. Without that, a client told 5xx for records Kafka kept would send them again.
 */
class IngestServerStopTest {
    private final HttpClient http = HttpClient.newHttpClient();
    /** The single-record producer acknowledges nothing until told, so the request stays in flight. */
    private final MockProducers producers = new MockProducers();

    @Test
    void aRequestInFlightWhenTheServerStopsGetsKafkasAnswer() throws Exception {
        RecordSender sender = new RecordSender(producers, 1, 1 << 20, RecordSender.GATHER);
        IngestServer server = new IngestServer(
                        new ConfigLoader(Map.of()).parse("pipelines: [{name: events}]"),
                        sender,
                        new Backpressure(pipeline -> -1, sender),
                        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                        List.of(),
                        "127.0.0.1",
                        0)
                .start();
        CompletableFuture<HttpResponse<String>> response = http.sendAsync(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/ingest/events"))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"a\"}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        await().atMost(Duration.ofSeconds(10))
                .until(() -> producers.single.history().size() == 1);

        CompletableFuture<Void> stopped = CompletableFuture.runAsync(server::close);
        // The stop waits for the request; Kafka acknowledges only now.
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> !stopped.isDone());
        assertFalse(response.isDone(), "answered before Kafka acknowledged");
        producers.single.completeNext();

        HttpResponse<String> answer = response.get(10, TimeUnit.SECONDS);
        assertEquals(200, answer.statusCode(), answer.body());
        stopped.get(10, TimeUnit.SECONDS);
        sender.close();
    }
}

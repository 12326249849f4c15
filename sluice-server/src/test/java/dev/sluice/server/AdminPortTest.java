package dev.sluice.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code sluice run} process serves {@code /healthz}, {@code /metrics} and the operator API on its admin port,
 * whatever its roles: a sink-only and a processor-only process here, beside an ingest-only stack. A
 * role that stopped makes {@code /healthz} answer 503 naming it.
 */
class AdminPortTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Duration DEADLINE = Duration.ofMinutes(2);
    private static final Pattern OBJECTS =
            Pattern.compile("(?m)^sluice_sink_objects_total\\{pipeline=\"events\"} ([0-9.]+)$");

    @TempDir
    Path dir;

    @Test
    void sinkAndProcessorProcessesAreProbeableAndAStoppedRoleIsNamed() throws Exception {
        String pipelines = """
                pipelines:
                  - name: events
                    transforms: [ { label: fail-on-bad, class: dev.sluice.server.FailOnBad, onError: fail } ]
                    sink: { batch: { maxDuration: 1s } }
                """;
        DevStack stack = DevStack.start(
                TestStack.config(pipelines), TestStack.freePorts(dir.resolve("stack")), Set.of(Role.INGEST), w -> {});
        try (stack;
                ChildProcess sink = ChildProcess.run("sink", "sink", pipelines, stack, dir, 0);
                ChildProcess processor = ChildProcess.run("processor", "processor", pipelines, stack, dir, 0)) {
            sink.start("-Xmx256m");
            processor.start("-Xmx256m");
            await().atMost(DEADLINE)
                    .until(() -> status(sink, "/healthz") == 200 && status(processor, "/healthz") == 200);
            assertEquals(List.of("kafka", "storage", "sink/events"), checkNames(health(sink)));
            JsonNode pipelinesOnSink =
                    JSON.readTree(get(sink, "/api/v1/pipelines").body());
            assertEquals(
                    "events",
                    pipelinesOnSink.path("result").path(0).path("name").asText(),
                    pipelinesOnSink.toString());
            assertEquals(List.of("kafka", "processor/events"), checkNames(health(processor)));

            TestStack.postAcked(stack, "events", List.of("{\"id\":\"a\"}", "{\"id\":\"b\"}"));
            await().atMost(DEADLINE).until(() -> objectsWritten(sink) >= 1);
            String metrics = get(sink, "/metrics").body();
            assertTrue(metrics.contains("sluice_sink_records_total{pipeline=\"events\"} 2.0"), metrics);
            assertTrue(metrics.contains("sluice_sink_freshness_seconds{pipeline=\"events\"}"), metrics);
            assertTrue(metrics.contains("sluice_sink_upload_seconds_count{pipeline=\"events\"}"), metrics);

            // A record the transform refuses with onError: fail stops the processor, loudly.
            TestStack.postAcked(stack, "events", List.of("{\"id\":\"c\",\"bad\":true}"));
            await().atMost(DEADLINE).until(() -> status(processor, "/healthz") == 503);
            JsonNode down = health(processor);
            assertEquals("unavailable", down.path("status").asText());
            assertEquals("ok", down.path("checks").path("kafka").asText());
            assertTrue(
                    down.path("checks")
                            .path("processor/events")
                            .asText()
                            .startsWith("the processor of pipeline events is"),
                    down.toString());
            assertEquals(200, status(sink, "/healthz"), "the sink process is not affected");
        }
    }

    private static double objectsWritten(ChildProcess process) {
        Matcher m = OBJECTS.matcher(get(process, "/metrics").body());
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    private static List<String> checkNames(JsonNode health) {
        return health.path("checks").properties().stream().map(e -> e.getKey()).toList();
    }

    private static JsonNode health(ChildProcess process) throws IOException {
        return JSON.readTree(get(process, "/healthz").body());
    }

    private static int status(ChildProcess process, String path) {
        assertTrue(process.isAlive(), process::logOfThisRun);
        try {
            return get(process, path).statusCode();
        } catch (UncheckedIOException e) {
            return -1; // not listening yet
        }
    }

    private static HttpResponse<String> get(ChildProcess process, String path) {
        try {
            return HTTP.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + process.adminPort() + path))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

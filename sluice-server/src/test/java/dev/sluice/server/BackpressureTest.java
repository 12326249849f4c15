package dev.sluice.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/** The store goes away under load: ingest says 429 instead of piling up, and nothing accepted is lost or doubled. */
class BackpressureTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dataDir;

    private int next;
    private final List<String> acknowledged = new ArrayList<>();
    private final List<String> refused = new ArrayList<>();

    /** Posts 50 new records; returns the response, remembering which ids were acknowledged or refused. */
    private HttpResponse<String> post(DevStack stack) {
        List<String> ids = new ArrayList<>();
        StringBuilder body = new StringBuilder("[");
        for (int i = 0; i < 50; i++) {
            String id = "bp-" + next++;
            ids.add(id);
            body.append(i == 0 ? "" : ",").append("{\"id\":\"").append(id).append("\"}");
        }
        HttpResponse<String> response = TestStack.post(stack, "slow", body + "]");
        (response.statusCode() == 200 ? acknowledged : refused).addAll(ids);
        return response;
    }

    @Test
    void a429ComesWhileTheStoreIsDownAndEverythingAcceptedLandsOnceAfter() throws Exception {
        try (DevStack stack = DevStack.start(TestStack.config("""
                pipelines:
                  - name: slow
                    partitions: 1
                    backpressure: { maxBacklogRecords: 200 }
                    sink: { batch: { maxRecords: 50, maxDuration: 1s } }
                """), TestStack.freePorts(dataDir), written -> {});
                S3Client s3 = TestStack.s3(stack)) {
            TestStack.postAcked(stack, "slow", List.of("{\"id\":\"warm-up\"}"));
            acknowledged.add("warm-up");

            stack.embeddedS3().stop();
            HttpResponse<String> refusal = await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> post(stack), response -> response.statusCode() == 429);
            JsonNode error = JSON.readTree(refusal.body());
            assertEquals("backpressure", error.at("/error/code").asText(), refusal.body());
            assertTrue(refusal.headers().firstValue("Retry-After").isPresent());
            assertTrue(acknowledged.size() > 200, "the threshold is 200 records; acknowledged " + acknowledged.size());
            assertEquals(503, TestStack.get(stack, "/healthz").statusCode(), "health reports the store as down");
            String metrics = TestStack.get(stack, "/metrics").body();
            assertTrue(
                    metrics.contains("sluice_ingest_requests_total{pipeline=\"slow\",source=\"http\",status=\"429\"}"),
                    metrics);

            stack.embeddedS3().restart();
            await().atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> post(stack).statusCode() == 200);

            await().atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> TestStack.allRecords(s3, "sluice", "slow").size() >= acknowledged.size());
            ExactlyOnce.assertEveryIdOnce(acknowledged, TestStack.allRecords(s3, "sluice", "slow"));
        }
    }
}

package dev.sluice.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sluice.config.StorageConfig;
import dev.sluice.sink.S3Clients;
import java.io.File;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.ComposeContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The production shape as {@code compose.yaml} ships it: the image the {@code Dockerfile} builds, run as two
 * processes of each role against three KRaft brokers and MinIO, behind nginx. Records posted through the load
 * balancer land in MinIO's bucket, every one exactly once; this is what catches a broken image, a compose file that
 * starts nothing, or a {@code deploy/sluice.yaml} the processes refuse. Needs Docker with Compose v2 ({@code docker
 * compose}); skipped where there is no Docker.
 */
@Testcontainers(disabledWithoutDocker = true)
class ComposeIT {
    private static final List<String> SLUICE_SERVICES = List.of(
            "ingest-1", "ingest-2", "processor-1", "processor-2", "sink-1", "sink-2", "workflows-1", "workflows-2");
    private static final int LB_PORT = 8080;
    private static final int S3_PORT = 9000;
    private static final String S3_USER = "sluice";
    private static final String S3_PASSWORD = "sluice-compose-it";
    private static final String BUCKET = "sluice";
    /** How long each wait may take once {@code up} returned; processes nothing depends on may still be starting. */
    private static final Duration STARTUP = Duration.ofMinutes(5);

    @Container
    private static final ComposeContainer STACK = stack();

    private static ComposeContainer stack() {
        // The host ports compose.yaml publishes are variables: free ones, so the test runs beside anything on 8080.
        int[] hostPorts = TestStack.freePorts(4);
        // The tests run in sluice-server/; compose.yaml is at the top of the checkout.
        File composeFile =
                Path.of("..", "compose.yaml").toAbsolutePath().normalize().toFile();
        ComposeContainer compose = new ComposeContainer(composeFile)
                .withLocalCompose(true)
                .withBuild(true)
                // compose pulls what it needs; Testcontainers' own pull would look for sluice:local in a registry.
                .withPull(false)
                .withTailChildContainers(true)
                .withEnv(Map.of(
                        "SLUICE_HTTP_PORT", String.valueOf(hostPorts[0]),
                        "MINIO_PORT", String.valueOf(hostPorts[1]),
                        "MINIO_CONSOLE_PORT", String.valueOf(hostPorts[2]),
                        "PROMETHEUS_PORT", String.valueOf(hostPorts[3]),
                        "MINIO_ROOT_USER", S3_USER,
                        "MINIO_ROOT_PASSWORD", S3_PASSWORD))
                // Through nginx to an ingest process's /healthz: Kafka and the bucket answer.
                .withExposedService(
                        instance("lb"),
                        LB_PORT,
                        Wait.forHttp("/healthz").forStatusCode(200).withStartupTimeout(STARTUP))
                .withExposedService(
                        instance("minio"),
                        S3_PORT,
                        Wait.forHttp("/minio/health/ready").forStatusCode(200).withStartupTimeout(STARTUP));
        // Every process's Docker health check: /healthz on its admin port, 200 once all its roles run.
        for (String service : SLUICE_SERVICES) {
            compose.waitingFor(instance(service), Wait.forHealthcheck().withStartupTimeout(STARTUP));
        }
        return compose;
    }

    /**
     * The first container of a service. Testcontainers takes a name ending in {@code -<digits>} as already naming an
     * instance, so {@code ingest-1} alone would mean instance 1 of a service {@code ingest}.
     */
    private static String instance(String service) {
        return service + "-1";
    }

    @Test
    void recordsPostedThroughTheLoadBalancerLandInTheBucketExactlyOnce() {
        String lb = "http://" + STACK.getServiceHost(instance("lb"), LB_PORT) + ":"
                + STACK.getServicePort(instance("lb"), LB_PORT);
        String runId = UUID.randomUUID().toString();
        List<String> ids = new ArrayList<>();
        // Ten requests of ten records: nginx spreads them over both ingest processes.
        for (int request = 0; request < 10; request++) {
            List<String> records = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                String id = runId + "-" + (request * 10 + i);
                ids.add(id);
                records.add("{\"id\":\"" + id + "\",\"type\":\"compose\"}");
            }
            HttpResponse<String> response = TestStack.post(lb, "events", "[" + String.join(",", records) + "]");
            assertEquals(200, response.statusCode(), response::body);
            assertEquals("{\"success\":true,\"result\":{\"committed\":10}}", response.body());
        }

        String s3Endpoint = "http://" + STACK.getServiceHost(instance("minio"), S3_PORT) + ":"
                + STACK.getServicePort(instance("minio"), S3_PORT);
        try (S3Client s3 = S3Clients.create(new StorageConfig(s3Endpoint, "us-east-1", S3_USER, S3_PASSWORD))) {
            // deploy/sluice.yaml closes a batch 30 s after it opened.
            await().atMost(Duration.ofMinutes(2))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> ExactlyOnce.idCounts(TestStack.allRecords(s3, BUCKET, "events"))
                            .keySet()
                            .containsAll(ids));
            ExactlyOnce.assertEveryIdOnce(ids, TestStack.allRecords(s3, BUCKET, "events"));
        }
    }
}

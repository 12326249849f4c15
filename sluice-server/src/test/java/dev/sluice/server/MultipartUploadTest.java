package dev.sluice.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Object;

/** An object over multipartThreshold goes up in parts and arrives whole, every record once. */
class MultipartUploadTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dataDir;

    @Test
    void aLargeObjectIsUploadedInPartsAndReadsBackWhole() {
        try (TestStack.Running running = TestStack.Running.start(dataDir, """
                pipelines:
                  - name: big
                    partitions: 1
                    sink:
                      compression: none
                      multipartThreshold: 5MB
                      multipartPartSize: 5MB
                      batch: { maxRecords: 11000, maxBytes: 64MB, maxDuration: 5m }
                """)) {
            String padding = "p".repeat(1000);
            for (int request = 0; request < 4; request++) {
                List<String> records = new ArrayList<>();
                for (int i = 0; i < 2750; i++) {
                    records.add("{\"id\":\"m" + (request * 2750 + i) + "\",\"pad\":\"" + padding + "\"}");
                }
                TestStack.postAcked(running.stack(), "big", records);
            }
            await().atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() ->
                            !TestStack.objects(running.s3(), "sluice", "big").isEmpty());

            List<S3Object> objects = TestStack.objects(running.s3(), "sluice", "big");
            assertEquals(1, objects.size(), objects.toString());
            S3Object object = objects.get(0);
            assertTrue(object.size() > 10L << 20, "size " + object.size());
            // A multipart ETag is <md5 of the part md5s>-<number of parts>.
            assertTrue(object.eTag().replace("\"", "").endsWith("-3"), "ETag " + object.eTag());

            byte[] body = running.s3()
                    .getObjectAsBytes(GetObjectRequest.builder()
                            .bucket("sluice")
                            .key(object.key())
                            .build())
                    .asByteArray();
            Map<String, Integer> counts = new HashMap<>();
            for (String line : new String(body, StandardCharsets.UTF_8).lines().toList()) {
                try {
                    counts.merge(JSON.readTree(line).get("id").asText(), 1, Integer::sum);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            assertEquals(11_000, counts.size());
            assertTrue(counts.values().stream().allMatch(n -> n == 1));
        }
    }
}

package dev.sluice.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sluice.config.SluiceConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/** Stop and start the dev stack on one data directory: nothing is lost, nothing is written twice. */
class RestartTest {
    @TempDir
    Path dataDir;

    // Batches never close by size or age during the test, so whatever lands before the restart was
    // written by the shutdown flush.
    private static final SluiceConfig CONFIG = TestStack.config("""
            pipelines:
              - name: events
                partitions: 2
                sink: { batch: { maxDuration: 1h } }
            """);

    private static List<String> records(String prefix, int count) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add("{\"id\":\"" + prefix + i + "\",\"user\":\"u\"}");
        }
        return out;
    }

    @Test
    void restartOnTheSameDataDirectoryResumesWithoutLossOrDuplicates() {
        DevOptions options = TestStack.freePorts(dataDir);

        try (DevStack first = DevStack.start(CONFIG, options, written -> {})) {
            TestStack.postAcked(first, "events", records("before-", 500));
        }
        // The stack is closed: the shutdown flush must have written all 500.
        DevOptions samePorts = new DevOptions(dataDir, 0, options.kafkaPort(), options.kafkaControllerPort(), 0);
        try (DevStack second = DevStack.start(CONFIG, samePorts, written -> {});
                S3Client s3 = TestStack.s3(second)) {
            Map<String, Long> afterFirstRun = ExactlyOnce.idCounts(TestStack.allRecords(s3, "sluice", "events"));
            assertEquals(500, afterFirstRun.size(), "shutdown did not flush the open batches");

            TestStack.postAcked(second, "events", records("after-", 500));
        }

        try (DevStack third = DevStack.start(CONFIG, samePorts, written -> {});
                S3Client s3 = TestStack.s3(third)) {
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> TestStack.allRecords(s3, "sluice", "events").size() >= 1000);
            List<String> sent = new ArrayList<>();
            records("before-", 500).forEach(r -> sent.add(r.substring(7, r.indexOf("\","))));
            records("after-", 500).forEach(r -> sent.add(r.substring(7, r.indexOf("\","))));
            ExactlyOnce.assertEveryIdOnce(sent, TestStack.allRecords(s3, "sluice", "events"));
        }
    }
}

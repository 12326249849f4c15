package dev.sluice.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/** The object store is down for 60 s while records keep arriving: afterwards each one is in the output exactly once. */
class StoreOutageTest {
    @TempDir
    Path dataDir;

    /** Objects of the pipeline as files in the embedded store's folder (readable while its S3 API is down). */
    private long objectFiles() throws IOException {
        Path folder = dataDir.resolve("s3/sluice/outage");
        if (!Files.isDirectory(folder)) {
            return 0;
        }
        AtomicLong objects = new AtomicLong();
        Files.walkFileTree(folder, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                if (file.toString().endsWith(".json.gz")) {
                    objects.incrementAndGet();
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                // The store writes an object to a temporary file and renames it: one can vanish mid-walk.
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw e;
            }
        });
        return objects.get();
    }

    @Test
    void aMinuteWithoutTheStoreUnderLoadLosesAndDuplicatesNothing() throws Exception {
        try (DevStack stack = DevStack.start(TestStack.config("""
                pipelines:
                  - name: outage
                    partitions: 2
                    sink: { batch: { maxRecords: 500, maxDuration: 1s } }
                """), TestStack.freePorts(dataDir), written -> {});
                S3Client s3 = TestStack.s3(stack)) {
            IngestLoad load = new IngestLoad(stack, "outage", 20, 20, "").start();
            await().atMost(Duration.ofSeconds(60)).until(() -> objectFiles() >= 3);

            stack.embeddedS3().stop();
            // PUTs that were already on the wire may still land: the count is taken once it holds still.
            AtomicLong lastCount = new AtomicLong(-1);
            await().atMost(Duration.ofSeconds(15))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> objectFiles() == lastCount.getAndSet(objectFiles()));
            long duringOutage = objectFiles();
            int acknowledgedAtStop = load.acknowledged.size();
            await().during(Duration.ofSeconds(60))
                    .atMost(Duration.ofSeconds(75))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> objectFiles() == duringOutage);
            assertTrue(
                    load.acknowledged.size() > acknowledgedAtStop + 1_000,
                    "ingest kept accepting during the outage: " + acknowledgedAtStop + " -> "
                            + load.acknowledged.size());
            assertEquals(503, TestStack.get(stack, "/healthz").statusCode(), "health reports the store as down");

            stack.embeddedS3().restart();
            // Some load after the store is back, and the sink writing again, before the load stops.
            int acknowledgedAtRestart = load.acknowledged.size();
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() ->
                            load.acknowledged.size() >= acknowledgedAtRestart + 1_000 && objectFiles() > duringOutage);
            load.close();
            await().atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> TestStack.allRecords(s3, "sluice", "outage").size() >= load.acknowledged.size());

            assertEquals(Set.of(), load.refused, "no request was refused (the backlog stayed under its threshold)");
            ExactlyOnce.assertEveryIdOnce(load.acknowledged, TestStack.allRecords(s3, "sluice", "outage"));
        }
    }
}

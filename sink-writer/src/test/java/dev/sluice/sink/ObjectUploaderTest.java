package dev.sluice.sink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whole and multipart PUTs from a file, retries while the store fails, and giving up when told to. */
class ObjectUploaderTest {
    private static final byte[] CONTENT = "0123456789".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    private final MemoryStore store = new MemoryStore();

    private Path file() throws IOException {
        return Files.write(dir.resolve("object"), CONTENT);
    }

    @Test
    void anObjectBelowTheThresholdGoesUpInOneRequest() throws IOException {
        new ObjectUploader(store, 11, 4).put("lake", "k", file(), "application/gzip", () -> true);

        assertEquals(List.of("put k"), store.calls);
        assertArrayEquals(CONTENT, store.objects.get("k"));
    }

    @Test
    void anObjectAtTheThresholdGoesUpInPartsStreamedFromTheFile() throws IOException {
        new ObjectUploader(store, 10, 4).put("lake", "k", file(), "application/gzip", () -> true);

        assertEquals(List.of("create k", "part 1", "part 2", "part 3", "complete k"), store.calls);
        assertArrayEquals(CONTENT, store.objects.get("k"));
    }

    @Test
    void aFailedPartAbortsTheUploadAndTheWholeUploadIsRetried() throws IOException {
        store.partFailures.set(1);

        new ObjectUploader(store, 10, 4).put("lake", "k", file(), "application/gzip", () -> true);

        assertEquals(
                List.of("create k", "part 1", "abort k", "create k", "part 1", "part 2", "part 3", "complete k"),
                store.calls);
        assertArrayEquals(CONTENT, store.objects.get("k"));
        assertEquals(0, store.openUploads());
    }

    @Test
    void anOutageIsRetriedUntilTheStoreComesBack() throws IOException {
        store.down = true;
        AtomicInteger asked = new AtomicInteger();

        new ObjectUploader(store, 11, 4).put("lake", "k", file(), "application/gzip", () -> {
            if (asked.incrementAndGet() == 3) {
                store.down = false;
            }
            return true;
        });

        assertEquals(List.of("put k", "put k", "put k", "put k"), store.calls);
        assertArrayEquals(CONTENT, store.objects.get("k"));
    }

    @Test
    void theUploadIsAbandonedOnceTheCallerStopsTrying() throws IOException {
        store.down = true;
        Path file = file();
        ObjectUploader uploader = new ObjectUploader(store, 11, 4);

        var e = assertThrows(
                ObjectUploader.UploadAbandonedException.class,
                () -> uploader.put("lake", "k", file, "application/gzip", () -> false));

        assertTrue(e.getMessage().contains("s3://lake/k"), e.getMessage());
        assertEquals(List.of("put k"), store.calls);
        assertTrue(store.objects.isEmpty());
    }
}

package dev.sluice.sink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchGzipTest {
    private static final long CHUNK = 4096;

    @TempDir
    Path dir;

    /** Runs queued stages only when the test says so, to order them against the batch. */
    private final Queue<Runnable> stages = new ArrayDeque<>();

    private final Executor byHand = stages::add;

    private void runStages() {
        for (Runnable stage; (stage = stages.poll()) != null; ) {
            stage.run();
        }
    }

    private static byte[] record(int i) {
        // Some records hold line breaks, which the spool line turns into spaces.
        String json = i % 7 == 0
                ? "{\n  \"id\": \"" + i + "\",\r\n  \"pad\": \"" + "x".repeat(i % 50) + "\"\n}"
                : "{\"id\":\"" + i + "\",\"pad\":\"" + "x".repeat(i % 50) + "\"}";
        return json.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] gunzip(Path file) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
            return in.readAllBytes();
        }
    }

    private static long onePassGzipSize(byte[] content) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = new LeveledGzipOutputStream(bytes, 6)) {
            out.write(content);
        }
        return bytes.size();
    }

    @Test
    void theObjectCompressedWhileTheBatchFilledHoldsExactlyTheSpoolFile() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(2); // chunks may run on either thread
        try {
            Path spool = dir.resolve("b.ndjson");
            Path gz = dir.resolve("b.json.gz");
            Batch batch = new Batch("p", 0, spool, new BatchGzip(spool, gz, 6, threads, CHUNK));
            for (int i = 0; i < 5_000; i++) {
                batch.add(0, i, record(i), 0);
            }
            CompletableFuture<Path> object = batch.seal();

            assertEquals(gz, object.get(30, TimeUnit.SECONDS));
            assertArrayEquals(Files.readAllBytes(spool), gunzip(gz));
            assertEquals(batch.bytes(), Files.size(spool));
            // It was compressed in chunks as it filled, not in one pass at the end (the count is approximate).
            long stagesRun = ((ThreadPoolExecutor) threads).getCompletedTaskCount();
            assertTrue(stagesRun >= batch.bytes() / (2 * CHUNK), stagesRun + " stages for " + batch.bytes() + " bytes");
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void chunksPrimedWithTheWindowBeforeThemCompressAboutAsWellAsOnePass() throws Exception {
        Path spool = dir.resolve("b.ndjson");
        Path gz = dir.resolve("b.json.gz");
        Batch batch = new Batch("p", 0, spool, new BatchGzip(spool, gz, 6, Runnable::run, 64 * 1024));
        for (int i = 0; i < 20_000; i++) {
            batch.add(0, i, record(i), 0);
        }
        batch.seal().get();

        assertArrayEquals(Files.readAllBytes(spool), gunzip(gz));
        long onePass = onePassGzipSize(Files.readAllBytes(spool));
        // Measured: 0.2% over one pass; without the window before each chunk 6.3% (each chunk starting cold).
        assertTrue(Files.size(gz) < onePass * 1.02, Files.size(gz) + " bytes against " + onePass + " in one pass");
    }

    @Test
    void chunksAreQueuedWhileTheBatchFillsAndOnlyTheRestAfterItIsSealed() throws Exception {
        Path spool = dir.resolve("b.ndjson");
        Path gz = dir.resolve("b.json.gz");
        Batch batch = new Batch("p", 0, spool, new BatchGzip(spool, gz, 1, byHand, CHUNK));
        int i = 0;
        while (batch.bytes() < 3 * CHUNK) {
            batch.add(0, i, record(i), 0);
            i++;
        }
        assertEquals(1, stages.size()); // the chain runs one stage at a time: the next is queued when it ends
        runStages();
        assertTrue(Files.exists(gz)); // compression began before the batch closed

        CompletableFuture<Path> object = batch.seal();
        assertFalse(object.isDone());
        assertEquals(1, stages.size()); // what is left: the rest and the trailer
        runStages();
        assertEquals(gz, object.getNow(null));
        assertArrayEquals(Files.readAllBytes(spool), gunzip(gz));
    }

    /** A batch compressed by hand that has queued a chunk or two. */
    private Batch twoChunks(Path spool, Path gz) {
        Batch batch = new Batch("p", 0, spool, new BatchGzip(spool, gz, 6, byHand, CHUNK));
        for (int i = 0; batch.bytes() < 2 * CHUNK; i++) {
            batch.add(0, i, record(i), 0);
        }
        return batch;
    }

    @Test
    void aFailedCompressionLeavesNoFileAndFailsTheObjectSoTheUploadEncodesTheSpoolAgain() throws Exception {
        Path spool = dir.resolve("b.ndjson");
        Path gz = dir.resolve("b.json.gz");
        Batch batch = twoChunks(spool, gz);
        CompletableFuture<Path> object = batch.seal();
        // The spool file shrinks under the compression: it cannot read what the batch says it wrote.
        Files.write(spool, new byte[10]);
        runStages();

        ExecutionException failed = assertThrows(ExecutionException.class, object::get);
        assertTrue(failed.getMessage().contains("spool file"), failed.getMessage());
        assertFalse(Files.exists(gz));
    }

    @Test
    void aDiscardedBatchLeavesNeitherFileOnceItsQueuedChunksRan() throws Exception {
        Path spool = dir.resolve("b.ndjson");
        Path gz = dir.resolve("b.json.gz");
        Batch batch = twoChunks(spool, gz);
        runStages();
        assertTrue(Files.exists(gz));

        batch.discard();
        runStages();

        assertFalse(Files.exists(spool));
        assertFalse(Files.exists(gz));
    }
}

package dev.sluice.sink;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The threads that turn recorded batches into objects: rebuild from Kafka when the spool file is gone,
 * encode, upload, and retry ({@link Backoff#RESTART}) until it works or the sink gives the batch up.
 * Results come back through {@link #takeFinished}, on the sink thread, which confirms them.
 *
 * <p>Epochs: when the sink starts over ({@link #startOver}), results of uploads begun before are dropped
 * and those uploads stop retrying; the new epoch writes the same batches again from the state topic.
 */
final class UploadWorkers implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(UploadWorkers.class);

    private final String pipeline;
    private final SpoolDir spool;
    private final ObjectEncoders encoders;
    private final ObjectUploader uploader;
    private final Rebuilder rebuilder;
    private final BooleanSupplier sinkKeepsTrying;
    private final SinkMetrics metrics;
    private final ExecutorService threads;
    /** Where gzip NDJSON batches are compressed while they fill ({@link BatchGzip}); apart, as uploads wait on them. */
    private final ExecutorService gzipThreads;

    private final LinkedBlockingQueue<Uploaded> finished = new LinkedBlockingQueue<>();
    private final AtomicInteger epoch = new AtomicInteger();
    private final AtomicInteger active = new AtomicInteger();

    /** @param sinkKeepsTrying false once the sink stopped and its grace for uploads ran out */
    UploadWorkers(
            String pipeline,
            int threadCount,
            SpoolDir spool,
            ObjectEncoders encoders,
            ObjectUploader uploader,
            Rebuilder rebuilder,
            BooleanSupplier sinkKeepsTrying,
            SinkMetrics metrics) {
        this.metrics = metrics;
        this.pipeline = pipeline;
        this.spool = spool;
        this.encoders = encoders;
        this.uploader = uploader;
        this.rebuilder = rebuilder;
        this.sinkKeepsTrying = sinkKeepsTrying;
        this.threads = Executors.newFixedThreadPool(threadCount, daemons("sluice-upload-" + pipeline + "-"));
        this.gzipThreads = Executors.newFixedThreadPool(threadCount, daemons("sluice-gzip-" + pipeline + "-"));
    }

    private static ThreadFactory daemons(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** The threads that compress batches while they fill. */
    Executor gzipThreads() {
        return gzipThreads;
    }

    /**
     * An uploaded object waiting for the transaction that confirms it.
     *
     * @param recovered rebuilt from Kafka after the life of the sink that recorded it ended
     */
    record Uploaded(BatchManifest written, Path source, Rejects rejects, int epoch, boolean recovered) {
        void cleanUp() {
            SpoolDir.delete(source);
            rejects.close();
        }
    }

    /**
     * Writes a recorded batch; with no spool file it is rebuilt from Kafka first.
     *
     * @param gzipped the batch's object compressed while it filled, or null: then it is encoded here
     */
    void submit(BatchManifest manifest, Path spoolFile, CompletableFuture<Path> gzipped) {
        int myEpoch = epoch.get();
        active.incrementAndGet();
        threads.execute(() -> {
            try {
                Uploaded done = encodeAndUpload(manifest, spoolFile, gzipped, myEpoch);
                if (done != null) {
                    finished.add(done);
                }
            } finally {
                active.decrementAndGet();
            }
        });
    }

    /**
     * The uploads of this epoch that finished, waiting up to {@code waitMillis} for the first; results of
     * earlier epochs are cleaned up and dropped.
     */
    List<Uploaded> takeFinished(long waitMillis) {
        List<Uploaded> out = new ArrayList<>();
        try {
            Uploaded first = waitMillis > 0 ? finished.poll(waitMillis, TimeUnit.MILLISECONDS) : finished.poll();
            for (Uploaded u = first; u != null; u = finished.poll()) {
                if (u.epoch() == epoch.get()) {
                    out.add(u);
                } else {
                    u.cleanUp(); // from before the sink started over; the batch is recovered from the state topic
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return out;
    }

    /** The sink starts over: uploads begun before stop retrying and their results are dropped. */
    void startOver() {
        epoch.incrementAndGet();
        for (Uploaded u; (u = finished.poll()) != null; ) {
            u.cleanUp();
        }
    }

    /**
     * Lets uploads of old epochs end (they stop retrying at once), so that an old attempt cannot overwrite
     * an object after the new epoch confirmed it.
     */
    void awaitIdle(Duration max) {
        long deadline = System.currentTimeMillis() + max.toMillis();
        while (active.get() > 0 && System.currentTimeMillis() < deadline) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private Uploaded encodeAndUpload(
            BatchManifest manifest, Path spoolFile, CompletableFuture<Path> gzipped, int myEpoch) {
        for (int failures = 1; ; failures++) {
            Path source = spoolFile;
            Path scratch = spool.newFile(".object");
            Rejects rejects = new Rejects(spool.newFile(".rejects"));
            try {
                if (source == null) {
                    source = spool.newFile(".rebuilt");
                    rebuilder.rebuild(manifest, source);
                }
                ObjectEncoder batchEncoder = encoders.of(manifest.format(), manifest.compression());
                // Only the first attempt: the file is scratch from here on, deleted with it.
                Path ready = failures == 1 ? compressed(gzipped, manifest) : null;
                Path object;
                if (ready != null) {
                    scratch = ready;
                    object = ready;
                } else {
                    object = batchEncoder.encode(source, scratch, rejects);
                }
                long size = Files.size(object);
                long uploadStart = System.nanoTime();
                String eTag = uploader.put(
                        manifest.bucket(),
                        manifest.key(),
                        object,
                        batchEncoder.contentType(),
                        () -> keepTrying(myEpoch));
                metrics.uploaded(Duration.ofNanos(System.nanoTime() - uploadStart));
                SpoolDir.delete(scratch);
                return new Uploaded(
                        manifest.written(size, eTag, rejects.count()), source, rejects, myEpoch, spoolFile == null);
            } catch (ObjectUploader.UploadAbandonedException e) {
                cleanUp(spoolFile, source, scratch, rejects);
                return null;
            } catch (InterruptedException e) {
                // Closing: the batch is completed from the state topic at the next start.
                Thread.currentThread().interrupt();
                cleanUp(spoolFile, source, scratch, rejects);
                return null;
            } catch (Exception e) {
                cleanUp(spoolFile, source, scratch, rejects);
                if (!keepTrying(myEpoch)) {
                    return null;
                }
                log.error(
                        "pipeline {}: writing s3://{}/{} failed; retrying in up to {} ms",
                        pipeline,
                        manifest.bucket(),
                        manifest.key(),
                        Backoff.RESTART.ceilingMillis(failures),
                        e);
                if (!Backoff.RESTART.sleep(failures)) {
                    return null;
                }
                if (spoolFile != null && !Files.exists(spoolFile)) {
                    spoolFile = null; // rebuild it from Kafka
                }
            }
        }
    }

    /** The batch's object compressed while it filled, or null when it was not or that failed (then it is encoded again). */
    private Path compressed(CompletableFuture<Path> gzipped, BatchManifest manifest) throws InterruptedException {
        if (gzipped == null) {
            return null;
        }
        try {
            return gzipped.get();
        } catch (ExecutionException e) {
            log.warn(
                    "pipeline {}: compressing {} while it filled failed; compressing its spool file again: {}",
                    pipeline,
                    manifest.key(),
                    e.getCause().toString());
            return null;
        }
    }

    private boolean keepTrying(int myEpoch) {
        return epoch.get() == myEpoch && sinkKeepsTrying.getAsBoolean();
    }

    private static void cleanUp(Path spoolFile, Path source, Path scratch, Rejects rejects) {
        SpoolDir.delete(scratch);
        rejects.close();
        if (source != spoolFile) {
            SpoolDir.delete(source);
        }
    }

    @Override
    public void close() throws InterruptedException {
        threads.shutdownNow();
        gzipThreads.shutdownNow();
        threads.awaitTermination(10, TimeUnit.SECONDS);
        gzipThreads.awaitTermination(10, TimeUnit.SECONDS);
    }
}

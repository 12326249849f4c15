package dev.sluice.sink;

import com.github.f4b6a3.ulid.UlidCreator;
import dev.sluice.config.SinkConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;

/**
 * A sink's open batches, one per output partition, kept in the order they opened; and where a batch is
 * rotated ({@link #rotate}): sealed, given its object key (a new ULID) and its pending manifest, and
 * set aside in {@link #rotated()} until the sink's next transaction records it.
 *
 * <p>Confined to the sink thread. Times are the sink clock's milliseconds.
 */
final class OpenBatches {
    private final SinkConfig sink;
    private final BatchPolicy policy;
    private final ObjectKeyLayout layout;
    private final String extension;
    private final SpoolDir spool;
    private final Executor gzipThreads;
    private final Map<String, Batch> open = new LinkedHashMap<>();
    private final List<Rotated> rotated = new ArrayList<>();

    /**
     * A rotated batch waiting for the transaction that records it.
     *
     * @param openedAtMillis when its first record came in
     * @param gzipped        its object, compressed while it filled ({@link BatchGzip}); null when it was not
     */
    record Rotated(BatchManifest manifest, Path spool, long openedAtMillis, CompletableFuture<Path> gzipped) {
        void discard() {
            SpoolDir.delete(spool);
            if (gzipped != null) {
                Future<?> unused = gzipped.thenAccept(SpoolDir::delete); // a failed one deleted its file itself
            }
        }
    }

    /**
     * @param extension   the object key's extension, from the sink's encoder
     * @param gzipThreads where batches are compressed while they fill ({@link BatchGzip}); null when the
     *                    sink does not write gzip NDJSON
     */
    OpenBatches(SinkConfig sink, ObjectKeyLayout layout, String extension, SpoolDir spool, Executor gzipThreads) {
        this.sink = sink;
        this.policy = BatchPolicy.from(sink.batch());
        this.layout = layout;
        this.extension = extension;
        this.spool = spool;
        this.gzipThreads = gzipThreads;
    }

    /**
     * Appends a record to the open batch of its output partition, opening one (and rotating the oldest
     * when {@code maxOpenBatches} are open) if needed; rotates the batch when it reached a size limit.
     */
    void add(ObjectKeyLayout.Placement place, int sourcePartition, long offset, byte[] value, long nowMillis) {
        Batch batch = open.get(place.partition());
        if (batch == null) {
            if (open.size() >= sink.maxOpenBatches()) {
                rotate(open.values().iterator().next(), CloseReason.OPEN_BATCHES);
            }
            Path file = spool.newFile(".ndjson");
            BatchGzip gzip = gzipThreads == null
                    ? null
                    : new BatchGzip(file, spool.newFile(".json.gz"), sink.compressionLevel(), gzipThreads);
            batch = new Batch(place.partition(), nowMillis, file, gzip);
            open.put(place.partition(), batch);
        }
        batch.add(sourcePartition, offset, value, place.eventMillis());
        Batch full = batch;
        policy.sizeLimitReached(batch.bytes(), batch.records()).ifPresent(reason -> rotate(full, reason));
    }

    /** Rotates the batches that reached {@code maxDuration}. */
    void rotateExpired(long nowMillis) {
        // All batches live equally long and are kept in the order they opened: the expired ones come first.
        while (!open.isEmpty()) {
            Batch oldest = open.values().iterator().next();
            if (!policy.isExpired(oldest.openedAtMillis, nowMillis)) {
                return;
            }
            rotate(oldest, CloseReason.DURATION);
        }
    }

    void rotateAll(CloseReason reason) {
        for (Batch batch : List.copyOf(open.values())) {
            rotate(batch, reason);
        }
    }

    /** Where a batch is rotated: it gets its key and waits for the next transaction to record it. */
    private void rotate(Batch batch, CloseReason reason) {
        open.remove(batch.partition);
        CompletableFuture<Path> gzipped = batch.seal();
        String key = layout.key(batch.partition, UlidCreator.getMonotonicUlid().toString(), extension);
        rotated.add(new Rotated(
                BatchManifest.pending(key, sink.bucket(), batch, sink, layout.spec(), reason),
                batch.spool,
                batch.openedAtMillis,
                gzipped));
    }

    /**
     * The first offset of {@code sourcePartition} in any open batch, or {@code Long.MAX_VALUE}: the
     * consumer offsets the sink commits never pass it.
     */
    long firstOffset(int sourcePartition) {
        long first = Long.MAX_VALUE;
        for (Batch batch : open.values()) {
            first = Math.min(first, batch.firstOffset(sourcePartition));
        }
        return first;
    }

    /** The rotated batches not yet recorded, in the order they were rotated. */
    List<Rotated> rotated() {
        return Collections.unmodifiableList(rotated);
    }

    /** The rotated batches were recorded; their spool files now belong to the uploads. */
    void clearRotated() {
        rotated.clear();
    }

    int openCount() {
        return open.size();
    }

    /** When the first record of the oldest open batch came in, or -1 when none is open. */
    long oldestOpenedAt() {
        return open.isEmpty() ? -1 : open.values().iterator().next().openedAtMillis;
    }

    /** Drops every open and rotated batch: none was recorded, so Kafka still has all their records for the next read. */
    void discardAll() {
        open.values().forEach(Batch::discard);
        open.clear();
        rotated.forEach(Rotated::discard);
        rotated.clear();
    }
}

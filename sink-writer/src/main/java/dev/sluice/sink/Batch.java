package dev.sluice.sink;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * The open batch of one output partition (one Hive folder). Its records go to a spool file as NDJSON
 * lines, so hundreds of open batches cost a small write buffer each, not their size in heap. It also
 * keeps what the batch's manifest needs: per source partition the first and last offset it holds,
 * record and byte counts, and the event-time range. With a {@link BatchGzip} its object is compressed
 * while it fills.
 */
final class Batch {
    private static final int WRITE_BUFFER = 16 * 1024;

    final String partition;
    final long openedAtMillis;
    final Path spool;
    private final OutputStream out;
    /** Null unless the object is gzip NDJSON: then it is compressed as the spool file grows. */
    private final BatchGzip gzip;

    private final Map<Integer, long[]> ranges = new TreeMap<>();
    private long records;
    private long bytes;
    private long minEventMillis = Long.MAX_VALUE;
    private long maxEventMillis = Long.MIN_VALUE;

    Batch(String partition, long openedAtMillis, Path spool) {
        this(partition, openedAtMillis, spool, null);
    }

    Batch(String partition, long openedAtMillis, Path spool, BatchGzip gzip) {
        this.partition = partition;
        this.openedAtMillis = openedAtMillis;
        this.spool = spool;
        this.gzip = gzip;
        try {
            this.out = new BufferedOutputStream(Files.newOutputStream(spool), WRITE_BUFFER);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create spool file " + spool, e);
        }
    }

    void add(int sourcePartition, long offset, byte[] json, long eventMillis) {
        try {
            NdjsonEncoder.writeLine(out, json);
            // A line is as long as its record plus the newline (line breaks become spaces): bytes is the file's length.
            bytes += json.length + 1;
            if (gzip != null && gzip.due(bytes)) {
                out.flush();
                gzip.queue(bytes);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write spool file " + spool, e);
        }
        long[] range = ranges.get(sourcePartition);
        if (range == null) {
            ranges.put(sourcePartition, new long[] {offset, offset});
        } else {
            range[1] = offset;
        }
        records++;
        minEventMillis = Math.min(minEventMillis, eventMillis);
        maxEventMillis = Math.max(maxEventMillis, eventMillis);
    }

    long records() {
        return records;
    }

    /** Uncompressed bytes, which is what {@code batch.maxBytes} limits. */
    long bytes() {
        return bytes;
    }

    /** The first offset of {@code sourcePartition} in this batch, or {@code Long.MAX_VALUE} when it holds none. */
    long firstOffset(int sourcePartition) {
        long[] range = ranges.get(sourcePartition);
        return range == null ? Long.MAX_VALUE : range[0];
    }

    Map<Integer, OffsetRange> ranges() {
        Map<Integer, OffsetRange> out = new TreeMap<>();
        ranges.forEach((p, r) -> out.put(p, new OffsetRange(r[0], r[1])));
        return out;
    }

    long minEventMillis() {
        return minEventMillis;
    }

    long maxEventMillis() {
        return maxEventMillis;
    }

    /**
     * Flushes and closes the spool file; the batch takes no more records.
     *
     * @return the batch's gzip object once compressed, or null when it is not compressed while filling
     */
    CompletableFuture<Path> seal() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write spool file " + spool, e);
        }
        return gzip == null ? null : gzip.finish(bytes);
    }

    /** Drops the batch: its records were never recorded anywhere, so they will be read again. */
    void discard() {
        try {
            out.close();
        } catch (IOException e) {
            // the file goes anyway
        }
        if (gzip != null) {
            gzip.abandon();
        }
        try {
            Files.deleteIfExists(spool);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

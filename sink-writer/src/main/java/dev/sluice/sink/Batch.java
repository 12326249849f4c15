package dev.sluice.sink;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/** The open batch of one output partition (one Hive folder): encoded bytes plus the offsets it covers. */
final class Batch {
    final String partition;
    final long openedAtMillis;
    private final NdjsonEncoder encoder;
    private final Map<TopicPartition, Long> firstOffsets = new HashMap<>();
    private long records;
    private long bytes;

    Batch(String partition, long openedAtMillis, boolean gzip) {
        this.partition = partition;
        this.openedAtMillis = openedAtMillis;
        this.encoder = new NdjsonEncoder(gzip);
    }

    void add(TopicPartition source, long offset, byte[] json) {
        encoder.write(json);
        firstOffsets.putIfAbsent(source, offset);
        records++;
        bytes += json.length + 1;
    }

    long records() {
        return records;
    }

    /** Uncompressed bytes, which is what {@code batch.maxBytes} limits. */
    long bytes() {
        return bytes;
    }

    /** The first offset of {@code source} in this batch, or {@code Long.MAX_VALUE} when it holds none. */
    long firstOffset(TopicPartition source) {
        return firstOffsets.getOrDefault(source, Long.MAX_VALUE);
    }

    byte[] finish() {
        return encoder.finish();
    }
}

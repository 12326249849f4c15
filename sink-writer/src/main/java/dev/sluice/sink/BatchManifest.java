package dev.sluice.sink;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.config.SinkConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * What the sink records about a closed batch in its state topic, in the same Kafka transaction that
 * commits the consumer offsets past the batch's records: the object key, the output partition, and
 * per source partition the offset range it was cut from. That is enough to rebuild exactly this
 * batch from Kafka after a crash, and to skip its records when they are read again.
 *
 * @param key       the object key (also the state record's key)
 * @param bucket    the bucket
 * @param partition the output partition (Hive folders) every record of the batch maps to
 * @param ranges    per source partition of {@code {pipeline}.out}, the first and last offset it holds
 * @param records   records in the batch
 * @param bytes     uncompressed bytes
 * @param minEventTime earliest event time in the batch, epoch millis
 * @param maxEventTime latest event time in the batch, epoch millis
 * @param format    output format
 * @param compression output compression
 * @param layout    the layout the batch was cut with
 * @param closedBy  which limit closed it
 * @param state     {@code PENDING} until the object is written, then {@code WRITTEN}
 * @param size      the object's size (written only)
 * @param eTag      the object's ETag (written only)
 * @param rejected  records the format could not hold, sent to the dead-letter topic (written only)
 */
record BatchManifest(
        String key,
        String bucket,
        String partition,
        Map<Integer, OffsetRange> ranges,
        long records,
        long bytes,
        long minEventTime,
        long maxEventTime,
        SinkConfig.Format format,
        SinkConfig.Compression compression,
        ObjectKeyLayout.Spec layout,
        CloseReason closedBy,
        State state,
        long size,
        String eTag,
        long rejected) {

    private static final ObjectMapper JSON =
            new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    enum State {
        PENDING,
        WRITTEN
    }

    BatchManifest {
        ranges = Map.copyOf(ranges);
    }

    static BatchManifest pending(
            String key,
            String bucket,
            Batch batch,
            SinkConfig sink,
            ObjectKeyLayout.Spec layout,
            CloseReason closedBy) {
        return new BatchManifest(
                key,
                bucket,
                batch.partition,
                batch.ranges(),
                batch.records(),
                batch.bytes(),
                batch.minEventMillis(),
                batch.maxEventMillis(),
                sink.format(),
                sink.compression(),
                layout,
                closedBy,
                State.PENDING,
                -1,
                null,
                0);
    }

    BatchManifest written(long objectSize, String objectETag, long rejectedRecords) {
        return new BatchManifest(
                key,
                bucket,
                partition,
                ranges,
                records,
                bytes,
                minEventTime,
                maxEventTime,
                format,
                compression,
                layout,
                closedBy,
                State.WRITTEN,
                objectSize,
                objectETag,
                rejectedRecords);
    }

    boolean isPending() {
        return state == State.PENDING;
    }

    /** Records in the object: the batch less the records its format could not hold. */
    long recordsWritten() {
        return records - rejected;
    }

    byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static BatchManifest fromJson(byte[] json) {
        try {
            return JSON.readValue(json, BatchManifest.class);
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable sink state record", e);
        }
    }
}

package dev.sluice.config;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.util.List;
import java.util.Locale;

/**
 * Where and how a pipeline's records land in object storage.
 *
 * @param bucket                bucket name (default {@code sluice})
 * @param prefix                key prefix inside the bucket (default: the pipeline name)
 * @param format                output format: {@code ndjson} (default) or {@code parquet}
 * @param compression           NDJSON: {@code gzip} (default) or {@code none}; Parquet: {@code zstd} (default),
 *                              {@code snappy}, {@code gzip} or {@code none}
 * @param timestampField        top-level field holding the event time (ISO-8601 or epoch millis); null → ingest time
 * @param timePartition         the time folders, {@code %Y %m %d %H %M} in UTC (default {@code year=%Y/month=%m/day=%d/hour=%H})
 * @param partitionBy           top-level fields that become {@code field=value/} folders before the time folders
 * @param missingPartitionField a record without a {@code partitionBy} field goes to {@code field=__null__/} ({@code null},
 *                              the default) or to the dead-letter topic ({@code dlq})
 * @param multipartThreshold    objects of at least this many bytes go up by multipart upload (default 64MB)
 * @param multipartPartSize     part size of a multipart upload; S3 needs at least 5MB (default 16MB)
 * @param batch                 when a batch becomes an object
 * @param maxOpenBatches        open batches (one per output partition) at most; the oldest is closed to open
 *                              another (default 1000). Open batches live in spool files, not on the heap.
 * @param maxConcurrentUploads  objects encoded and uploaded at once (default 4); also bounds the retry
 *                              traffic when a store comes back after an outage
 * @param rowGroupSize          Parquet row group size (default 32MB); a Parquet upload holds about this much in memory
 * @param compressionLevel      gzip 1 (fastest) to 9 (smallest), default 6; zstd 1 to 22, default 3; none for
 *                              snappy and none
 */
public record SinkConfig(String bucket, String prefix, Format format, Compression compression, String timestampField,
                         String timePartition, List<String> partitionBy, MissingPartitionField missingPartitionField,
                         @JsonDeserialize(using = Sizes.BytesDeserializer.class) Long multipartThreshold,
                         @JsonDeserialize(using = Sizes.BytesDeserializer.class) Long multipartPartSize,
                         BatchConfig batch, Integer maxOpenBatches, Integer maxConcurrentUploads,
                         @JsonDeserialize(using = Sizes.BytesDeserializer.class) Long rowGroupSize,
                         Integer compressionLevel) {

    public static final String DEFAULT_TIME_PARTITION = "year=%Y/month=%m/day=%d/hour=%H";

    public SinkConfig {
        bucket = bucket == null ? "sluice" : bucket;
        format = format == null ? Format.NDJSON : format;
        compression = compression != null ? compression : format == Format.PARQUET ? Compression.ZSTD : Compression.GZIP;
        timePartition = timePartition == null ? DEFAULT_TIME_PARTITION : timePartition;
        partitionBy = partitionBy == null ? List.of() : List.copyOf(partitionBy);
        missingPartitionField = missingPartitionField == null ? MissingPartitionField.NULL : missingPartitionField;
        multipartThreshold = multipartThreshold == null ? 64L << 20 : multipartThreshold;
        multipartPartSize = multipartPartSize == null ? 16L << 20 : multipartPartSize;
        batch = batch == null ? BatchConfig.DEFAULTS : batch;
        maxOpenBatches = maxOpenBatches == null ? 1000 : maxOpenBatches;
        maxConcurrentUploads = maxConcurrentUploads == null ? 4 : maxConcurrentUploads;
        rowGroupSize = rowGroupSize == null ? 32L << 20 : rowGroupSize;
        if (compressionLevel == null) {
            compressionLevel = compression == Compression.GZIP ? 6 : compression == Compression.ZSTD ? 3 : 0;
        }
    }

    /** Sink defaults for a pipeline; the prefix defaults to the pipeline's name. */
    static SinkConfig defaultsFor(String pipeline) {
        return new SinkConfig(null, pipeline, null, null, null, null, null, null, null, null, null, null, null, null, null);
    }

    SinkConfig withPrefix(String newPrefix) {
        return new SinkConfig(bucket, newPrefix, format, compression, timestampField, timePartition, partitionBy,
                missingPartitionField, multipartThreshold, multipartPartSize, batch, maxOpenBatches, maxConcurrentUploads,
                rowGroupSize, compressionLevel);
    }

    public enum MissingPartitionField {
        NULL, DLQ;

        @JsonValue
        public String yamlName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public enum Format {
        NDJSON, PARQUET;

        @JsonValue
        public String yamlName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public enum Compression {
        GZIP, NONE, ZSTD, SNAPPY;

        @JsonValue
        public String yamlName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}

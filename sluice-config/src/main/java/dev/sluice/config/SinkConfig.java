package dev.sluice.config;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

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
 * @param maxConcurrentUploads  objects encoded and uploaded at once (default 4), and the threads compressing
 *                              gzip NDJSON batches while they fill; also bounds the retry traffic when a store
 *                              comes back after an outage
 * @param rowGroupSize          Parquet row group size (default 32MB); a Parquet upload holds about this much in memory
 * @param compressionLevel      gzip 1 (fastest) to 9 (smallest), default 6; zstd 1 to 22, default 3; none for
 *                              snappy and none
 */
public record SinkConfig(
        String bucket,
        String prefix,
        Format format,
        Compression compression,
        String timestampField,
        String timePartition,
        List<String> partitionBy,
        MissingPartitionField missingPartitionField,

        @JsonDeserialize(using = Units.BytesDeserializer.class)
        Long multipartThreshold,

        @JsonDeserialize(using = Units.BytesDeserializer.class)
        Long multipartPartSize,

        BatchConfig batch,
        Integer maxOpenBatches,
        Integer maxConcurrentUploads,

        @JsonDeserialize(using = Units.BytesDeserializer.class)
        Long rowGroupSize,

        Integer compressionLevel) {

    public static final String DEFAULT_TIME_PARTITION = "year=%Y/month=%m/day=%d/hour=%H";

    public SinkConfig {
        bucket = bucket == null ? "sluice" : bucket;
        format = format == null ? Format.NDJSON : format;
        compression =
                compression != null ? compression : format == Format.PARQUET ? Compression.ZSTD : Compression.GZIP;
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
        return new SinkConfig(
                null, pipeline, null, null, null, null, null, null, null, null, null, null, null, null, null);
    }

    SinkConfig withPrefix(String newPrefix) {
        return new SinkConfig(
                bucket,
                newPrefix,
                format,
                compression,
                timestampField,
                timePartition,
                partitionBy,
                missingPartitionField,
                multipartThreshold,
                multipartPartSize,
                batch,
                maxOpenBatches,
                maxConcurrentUploads,
                rowGroupSize,
                compressionLevel);
    }

    public enum MissingPartitionField {
        NULL,
        DLQ;

        @JsonValue
        public String yamlName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public enum Format {
        NDJSON,
        PARQUET;

        @JsonValue
        public String yamlName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public enum Compression {
        GZIP,
        NONE,
        ZSTD,
        SNAPPY;

        @JsonValue
        public String yamlName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private static final Pattern BUCKET_NAME = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    private static final Pattern FIELD_NAME = Pattern.compile("[^\\s/=]+");
    private static final Pattern TIME_PATTERN_TEXT = Pattern.compile("[A-Za-z0-9_=/.-]*");

    void validate(String at) {
        if (timestampField != null && !FIELD_NAME.matcher(timestampField).matches()) {
            throw new ConfigException(at + ".timestampField", "'" + timestampField + "' is not a top-level field name");
        }
        for (int i = 0; i < partitionBy.size(); i++) {
            String field = partitionBy.get(i);
            if (field == null || !FIELD_NAME.matcher(field).matches()) {
                throw new ConfigException(
                        at + ".partitionBy[" + i + "]", "'" + field + "' is not a top-level field name");
            }
        }
        if (multipartPartSize < (5L << 20) || multipartPartSize > (5L << 30)) {
            throw new ConfigException(
                    at + ".multipartPartSize", "must be between 5MB and 5GB (S3's limits), was " + multipartPartSize);
        }
        if (format == Format.NDJSON && compression != Compression.GZIP && compression != Compression.NONE) {
            throw new ConfigException(
                    at + ".compression", "ndjson is written with gzip or none, not " + compression.yamlName());
        }
        switch (compression) {
            case GZIP -> {
                if (compressionLevel < 1 || compressionLevel > 9) {
                    throw new ConfigException(
                            at + ".compressionLevel",
                            "gzip levels are 1 (fastest) to 9 (smallest), was " + compressionLevel);
                }
            }
            case ZSTD -> {
                if (compressionLevel < 1 || compressionLevel > 22) {
                    throw new ConfigException(
                            at + ".compressionLevel", "zstd levels are 1 to 22, was " + compressionLevel);
                }
            }
            default -> {
                if (compressionLevel != 0) {
                    throw new ConfigException(at + ".compressionLevel", compression.yamlName() + " has no levels");
                }
            }
        }
        if (maxOpenBatches < 1) {
            throw new ConfigException(at + ".maxOpenBatches", "must be at least 1");
        }
        if (maxConcurrentUploads < 1 || maxConcurrentUploads > 64) {
            throw new ConfigException(at + ".maxConcurrentUploads", "must be between 1 and 64");
        }
        if (rowGroupSize < (1L << 20)) {
            throw new ConfigException(at + ".rowGroupSize", "must be at least 1MB");
        }
        if (multipartThreshold <= 0) {
            throw new ConfigException(at + ".multipartThreshold", "must be positive");
        }
        String literal = timePartition.replaceAll("%[YmdHM%]", "");
        if (literal.contains("%")
                || !TIME_PATTERN_TEXT.matcher(literal).matches()
                || timePartition.startsWith("/")
                || timePartition.endsWith("/")) {
            throw new ConfigException(
                    at + ".timePartition",
                    "'" + timePartition + "' is not a time partition pattern: use %Y %m %d %H %M"
                            + " between letters, digits, '_', '=', '-', '.' and '/', e.g. " + DEFAULT_TIME_PARTITION);
        }
        if (!BUCKET_NAME.matcher(bucket).matches()) {
            throw new ConfigException(at + ".bucket", "'" + bucket + "' is not a valid bucket name");
        }
        if (prefix.startsWith("/") || prefix.endsWith("/")) {
            throw new ConfigException(at + ".prefix", "must not start or end with '/', was '" + prefix + "'");
        }
        batch.validate(at + ".batch");
    }
}

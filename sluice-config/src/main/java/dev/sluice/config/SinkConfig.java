package dev.sluice.config;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * Where and how a pipeline's records land in object storage.
 *
 * @param bucket      bucket name (default {@code sluice})
 * @param prefix      key prefix inside the bucket (default: the pipeline name)
 * @param format      output format (default {@code ndjson})
 * @param compression {@code gzip} (default) or {@code none} for NDJSON
 * @param batch       when a batch becomes an object
 */
public record SinkConfig(String bucket, String prefix, Format format, Compression compression, BatchConfig batch) {

    public SinkConfig {
        bucket = bucket == null ? "sluice" : bucket;
        format = format == null ? Format.NDJSON : format;
        compression = compression == null ? Compression.GZIP : compression;
        batch = batch == null ? BatchConfig.DEFAULTS : batch;
    }

    /** Sink defaults for a pipeline; the prefix defaults to the pipeline's name. */
    static SinkConfig defaultsFor(String pipeline) {
        return new SinkConfig(null, pipeline, null, null, null);
    }

    SinkConfig withPrefix(String newPrefix) {
        return new SinkConfig(bucket, newPrefix, format, compression, batch);
    }

    public enum Format {
        NDJSON;

        @JsonValue
        public String yamlName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public enum Compression {
        GZIP, NONE;

        @JsonValue
        public String yamlName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}

package dev.sluice.config;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.time.Duration;

/**
 * When the sink closes a batch: whichever limit is reached first, like Cloudflare's batch hints.
 *
 * @param maxBytes    uncompressed bytes in one object (default 100MB)
 * @param maxRecords  records in one object (default 100,000)
 * @param maxDuration age of the oldest record in an open batch (default 300s)
 */
public record BatchConfig(
        @JsonDeserialize(using = Units.BytesDeserializer.class)
        Long maxBytes,

        Long maxRecords,

        @JsonDeserialize(using = Units.DurationDeserializer.class)
        Duration maxDuration) {

    public static final BatchConfig DEFAULTS = new BatchConfig(null, null, null);

    public BatchConfig {
        maxBytes = maxBytes == null ? 100L << 20 : maxBytes;
        maxRecords = maxRecords == null ? 100_000L : maxRecords;
        maxDuration = maxDuration == null ? Duration.ofMinutes(5) : maxDuration;
    }

    void validate(String at) {
        if (maxBytes <= 0) {
            throw new ConfigException(at + ".maxBytes", "must be positive");
        }
        if (maxRecords <= 0) {
            throw new ConfigException(at + ".maxRecords", "must be positive");
        }
        if (maxDuration.isZero() || maxDuration.isNegative()) {
            throw new ConfigException(at + ".maxDuration", "must be positive");
        }
    }
}

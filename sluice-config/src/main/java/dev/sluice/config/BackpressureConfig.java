package dev.sluice.config;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;

/**
 * When ingest answers 429 instead of accepting more: when the pipeline's backlog (records accepted
 * into Kafka but not yet written to storage) passes either limit.
 *
 * @param maxBacklogRecords default 10,000,000
 * @param maxBacklogBytes   approximate, from the average record size (default 10GB)
 */
public record BackpressureConfig(
        Long maxBacklogRecords,

        @JsonDeserialize(using = Units.BytesDeserializer.class)
        Long maxBacklogBytes) {

    public static final BackpressureConfig DEFAULTS = new BackpressureConfig(null, null);

    public BackpressureConfig {
        maxBacklogRecords = maxBacklogRecords == null ? 10_000_000L : maxBacklogRecords;
        maxBacklogBytes = maxBacklogBytes == null ? 10L << 30 : maxBacklogBytes;
    }

    void validate(String at) {
        if (maxBacklogRecords <= 0) {
            throw new ConfigException(at + ".maxBacklogRecords", "must be positive");
        }
        if (maxBacklogBytes <= 0) {
            throw new ConfigException(at + ".maxBacklogBytes", "must be positive");
        }
    }
}

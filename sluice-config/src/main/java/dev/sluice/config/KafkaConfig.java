package dev.sluice.config;

/**
 * The Kafka cluster. Absent in {@code sluice dev}, which starts its own broker.
 *
 * @param bootstrapServers e.g. {@code 127.0.0.1:9092}
 */
public record KafkaConfig(String bootstrapServers) {}

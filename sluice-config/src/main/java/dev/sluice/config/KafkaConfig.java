package dev.sluice.config;

import java.util.HashMap;
import java.util.Map;

/**
 * The Kafka cluster. Absent in {@code sluice dev}, which starts its own broker.
 *
 * <pre>{@code
 * kafka:
 *   bootstrapServers: kafka-1:9093
 *   properties:                       # passed to every client Sluice creates
 *     security.protocol: SASL_SSL
 *     sasl.mechanism: SCRAM-SHA-512
 *     sasl.jaas.config: org.apache.kafka.common.security.scram.ScramLoginModule required username="sluice" password="${KAFKA_PASSWORD}";
 * }</pre>
 *
 * @param bootstrapServers  e.g. {@code 127.0.0.1:9092}
 * @param properties        client properties for security and tuning, applied to producers, consumers and admin
 * @param replicationFactor replicas of each topic Sluice creates (default: 3, or the number of brokers when
 *                          the cluster has fewer); their {@code min.insync.replicas} is 2 from 3 replicas on,
 *                          so an acknowledged record survives the loss of any one broker
 */
public record KafkaConfig(String bootstrapServers, Map<String, String> properties, Integer replicationFactor) {
    public KafkaConfig {
        properties = properties == null ? Map.of() : Map.copyOf(properties);
    }

    public KafkaConfig(String bootstrapServers, Map<String, String> properties) {
        this(bootstrapServers, properties, null);
    }

    public KafkaConfig(String bootstrapServers) {
        this(bootstrapServers, Map.of());
    }

    void validate() {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new ConfigException("kafka.bootstrapServers", "is required when kafka is configured");
        }
        if (replicationFactor != null && (replicationFactor < 1 || replicationFactor > Short.MAX_VALUE)) {
            throw new ConfigException("kafka.replicationFactor", "must be at least 1");
        }
    }

    /** Properties for a Kafka client: the bootstrap servers plus {@link #properties}. */
    public Map<String, Object> clientProperties() {
        Map<String, Object> props = new HashMap<>(properties);
        props.put("bootstrap.servers", bootstrapServers);
        return props;
    }

    @Override
    public String toString() {
        return "KafkaConfig[bootstrapServers=" + bootstrapServers + ", properties=" + properties.keySet() + "]";
    }
}

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
 * @param bootstrapServers e.g. {@code 127.0.0.1:9092}
 * @param properties       client properties for security and tuning, applied to producers, consumers and admin
 */
public record KafkaConfig(String bootstrapServers, Map<String, String> properties) {
    public KafkaConfig {
        properties = properties == null ? Map.of() : Map.copyOf(properties);
    }

    public KafkaConfig(String bootstrapServers) {
        this(bootstrapServers, Map.of());
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

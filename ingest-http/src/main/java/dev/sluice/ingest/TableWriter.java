package dev.sluice.ingest;

import dev.sluice.config.KafkaConfig;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Writes rows of lookup tables to their compacted topics: a value per key, or a tombstone to delete it. */
public final class TableWriter implements AutoCloseable {
    private final KafkaProducer<String, byte[]> producer;

    public TableWriter(KafkaConfig kafka) {
        Map<String, Object> props = kafka.clientProperties();
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "sluice-tables");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    /** Completes once Kafka acknowledged the row ({@code acks=all}); a null value deletes the key. */
    CompletableFuture<Void> write(String topic, String key, byte[] value) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        // The callback completes done with the outcome of the send.
        Future<?> unused = producer.send(new ProducerRecord<>(topic, key, value), (metadata, error) -> {
            if (error == null) {
                done.complete(null);
            } else {
                done.completeExceptionally(error);
            }
        });
        return done;
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}

package dev.sluice.ingest;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Produces a request's records to Kafka and completes when Kafka has acknowledged every one of
 * them with {@code acks=all}, or fails with the first error. One producer serves all requests.
 */
public final class KafkaRecordProducer implements AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;

    public KafkaRecordProducer(String bootstrapServers) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "sluice-ingest");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        // An HTTP client waits for the answer, so fail within seconds rather than Kafka's minutes.
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        this.producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Sends the records; the future completes with their count once Kafka acknowledged all of them. */
    public CompletableFuture<Integer> send(String topic, List<byte[]> records, String source, String requestId) {
        CompletableFuture<Integer> done = new CompletableFuture<>();
        if (records.isEmpty()) {
            done.complete(0);
            return done;
        }
        long ingestTime = System.currentTimeMillis();
        RecordHeaders headers = new RecordHeaders(List.of(
                new RecordHeader(IngestHeaders.INGEST_TIME, Long.toString(ingestTime).getBytes(StandardCharsets.UTF_8)),
                new RecordHeader(IngestHeaders.SOURCE, source.getBytes(StandardCharsets.UTF_8)),
                new RecordHeader(IngestHeaders.REQUEST_ID, requestId.getBytes(StandardCharsets.UTF_8))));
        AtomicInteger pending = new AtomicInteger(records.size());
        try {
            for (byte[] value : records) {
                producer.send(new ProducerRecord<>(topic, null, ingestTime, null, value, headers), (metadata, error) -> {
                    if (error != null) {
                        done.completeExceptionally(error);
                    } else if (pending.decrementAndGet() == 0) {
                        done.complete(records.size());
                    }
                });
            }
        } catch (RuntimeException e) {
            done.completeExceptionally(e);
        }
        return done;
    }

    @Override
    public void close() {
        producer.close();
    }
}

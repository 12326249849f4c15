package dev.sluice.ingest;

import dev.sluice.config.KafkaConfig;
import dev.sluice.wire.ClientIds;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** The ingest's real producers: {@code acks=all}, idempotent, failing within seconds, not minutes. */
final class KafkaIngestProducers implements IngestProducers {
    private static final int LANE_LINGER_MS = 20;

    private final Map<String, Object> properties;
    private final String instanceId;

    /**
     * @param instanceId    this process's stable id: the lanes' transactional ids derive from it, so a
     *                      restarted process aborts what its killed predecessor left open at once, instead
     *                      of every read_committed reader waiting for that transaction to time out
     * @param maxRecordSize the largest record a pipeline accepts, so the producer never refuses one
     */
    KafkaIngestProducers(KafkaConfig kafka, String instanceId, long maxRecordSize) {
        this.instanceId = instanceId;
        this.properties = new HashMap<>(kafka.clientProperties());
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        properties.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        properties.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        properties.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, (int) Math.max(1 << 20, maxRecordSize + (256 << 10)));
        // Requests wait for the answer, so fail within seconds rather than Kafka's minutes.
        properties.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
        properties.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        properties.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 20_000);
        properties.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 30_000);
    }

    @Override
    public Producer<byte[], byte[]> single() {
        Map<String, Object> props = new HashMap<>(properties);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "sluice-ingest-single");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    @Override
    public Producer<byte[], byte[]> lane(int lane) {
        Map<String, Object> props = new HashMap<>(properties);
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, ClientIds.ingestTransaction(instanceId, lane));
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "sluice-ingest-" + lane);
        // A lane's records wait for its commit anyway, and a completing transaction makes every batch sendable:
        // lingering only keeps the producer from sending a group in many small requests while the lane is still
        // adding to it (warm A/B, three rounds: broker CPU per record 2.75 -> 2.49 µs, batched HTTP +6%).
        props.put(ProducerConfig.LINGER_MS_CONFIG, LANE_LINGER_MS);
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }
}

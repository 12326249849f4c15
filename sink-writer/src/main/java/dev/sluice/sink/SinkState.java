package dev.sluice.sink;

import dev.sluice.wire.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;

/**
 * The sink's durable memory: topic {@code {pipeline}.sink-state}, compacted, with as many partitions as
 * {@code {pipeline}.out}. A batch's manifest is written to the state partitions of the source
 * partitions it was cut from, so whoever owns a source partition finds there every batch that still
 * matters for it. Every write happens in a Kafka transaction together with the consumer offsets
 * ({@link #commit}); the group generation in that transaction fences a sink that lost its partitions.
 */
final class SinkState implements AutoCloseable {
    private static final Duration LOAD_TIMEOUT = Duration.ofMinutes(2);
    /** The state record of the inferred Parquet schema; no object key can be this. */
    private static final byte[] SCHEMA_KEY = "__schema__".getBytes(StandardCharsets.UTF_8);

    private final String topic;
    private final SinkClients clients;
    private final Producer<byte[], byte[]> producer;

    SinkState(String pipeline, SinkClients clients) {
        this.topic = Topics.sinkState(pipeline);
        this.clients = clients;
        this.producer = clients.transactionalProducer();
        try {
            producer.initTransactions();
        } catch (RuntimeException e) {
            producer.close(Duration.ZERO);
            throw e;
        }
    }

    /** A manifest, to the state partition of every source partition it covers. */
    void addManifest(List<ProducerRecord<byte[], byte[]>> out, BatchManifest manifest) {
        byte[] key = manifest.key().getBytes(StandardCharsets.UTF_8);
        byte[] value = manifest.toJson();
        for (int partition : manifest.ranges().keySet()) {
            out.add(new ProducerRecord<>(topic, partition, key, value));
        }
    }

    /** Keeps the inferred Parquet schema in the given state partitions (compaction keeps the latest). */
    void addSchema(List<ProducerRecord<byte[], byte[]>> out, Collection<Integer> partitions, byte[] schema) {
        for (int partition : partitions) {
            out.add(new ProducerRecord<>(topic, partition, SCHEMA_KEY, schema));
        }
    }

    /** Forgets a manifest in one state partition (compaction then drops it). */
    void addTombstone(List<ProducerRecord<byte[], byte[]>> out, int partition, String key) {
        out.add(new ProducerRecord<>(topic, partition, key.getBytes(StandardCharsets.UTF_8), null));
    }

    /**
     * Sends {@code records} and commits {@code offsets} for the consumer group in one transaction.
     *
     * @throws KafkaException when the transaction did not commit; it was aborted where that was still
     *                        possible, and nothing of it is visible. The caller must start over from
     *                        what Kafka holds.
     */
    void commit(
            List<ProducerRecord<byte[], byte[]>> records,
            Map<TopicPartition, OffsetAndMetadata> offsets,
            ConsumerGroupMetadata group) {
        producer.beginTransaction();
        try {
            for (ProducerRecord<byte[], byte[]> record : records) {
                // Not awaited: commitTransaction below throws when any send of the transaction failed.
                Future<?> unused = producer.send(record);
            }
            if (!offsets.isEmpty()) {
                producer.sendOffsetsToTransaction(offsets, group);
            }
            producer.commitTransaction();
        } catch (ProducerFencedException e) {
            throw e;
        } catch (KafkaException e) {
            try {
                producer.abortTransaction();
            } catch (KafkaException abortFailed) {
                e.addSuppressed(abortFailed);
            }
            throw e;
        }
    }

    /**
     * Every manifest still recorded for these source partitions, read from their state partitions up
     * to the last committed transaction. Call it after the consumer's committed offsets for them are
     * known (stable): those and the manifests are committed together, so by then nothing of an open
     * transaction of the partitions' previous owner can still appear. A stored inferred Parquet schema
     * is merged into {@code schema}.
     */
    List<Recorded> load(Collection<Integer> partitions, InferredSchema schema) {
        if (partitions.isEmpty()) {
            return List.of();
        }
        Map<String, Recorded> latest = new LinkedHashMap<>();
        try (Consumer<byte[], byte[]> reader = clients.reader("state-reader")) {
            List<TopicPartition> tps =
                    partitions.stream().map(p -> new TopicPartition(topic, p)).toList();
            reader.assign(tps);
            reader.seekToBeginning(tps);
            Map<TopicPartition, Long> ends = reader.endOffsets(tps);
            long deadline = System.currentTimeMillis() + LOAD_TIMEOUT.toMillis();
            while (tps.stream().anyMatch(tp -> reader.position(tp) < ends.get(tp))) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " to its end within " + LOAD_TIMEOUT);
                }
                for (ConsumerRecord<byte[], byte[]> record : reader.poll(Duration.ofMillis(200))) {
                    if (Arrays.equals(record.key(), SCHEMA_KEY)) {
                        if (record.value() != null) {
                            schema.merge(record.value());
                        }
                        continue;
                    }
                    String key = new String(record.key(), StandardCharsets.UTF_8);
                    String slot = record.partition() + "/" + key;
                    if (record.value() == null) {
                        latest.remove(slot);
                    } else {
                        latest.put(slot, new Recorded(record.partition(), BatchManifest.fromJson(record.value())));
                    }
                }
            }
        }
        return new ArrayList<>(latest.values());
    }

    /** A manifest as found in the state partition of source partition {@code partition}. */
    record Recorded(int partition, BatchManifest manifest) {}

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}

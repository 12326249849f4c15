package dev.sluice.server.admin;

import dev.sluice.config.KafkaConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * The timestamp of the first committed record at or after a position, per partition: with a stage's committed
 * offsets, when its oldest waiting record was accepted. Not thread-safe.
 */
public final class OldestRecords implements AutoCloseable {
    /** How long one measurement waits for the records it asked for. */
    private static final Duration TIMEOUT = Duration.ofSeconds(1);

    private final KafkaConsumer<byte[], byte[]> consumer;

    public OldestRecords(KafkaConfig kafka) {
        this.consumer = Readers.create(kafka, "sluice-freshness");
    }

    /**
     * For each partition with a committed record in {@code [from, end)}, the first one's timestamp; a partition
     * whose range holds only transaction markers or aborted records has none.
     */
    public Map<TopicPartition, Long> firstTimestamps(Map<TopicPartition, Long> from, Map<TopicPartition, Long> ends) {
        Map<TopicPartition, Long> found = new HashMap<>();
        List<TopicPartition> waiting = from.keySet().stream()
                .filter(tp -> ends.containsKey(tp) && from.get(tp) < ends.get(tp))
                .toList();
        if (waiting.isEmpty()) {
            return found;
        }
        consumer.assign(waiting);
        consumer.resume(consumer.paused());
        // Reading committed records stops at the last stable offset, before any open transaction: a range
        // that reaches into one is answered there, not at the end.
        Map<TopicPartition, Long> readable = new HashMap<>(consumer.endOffsets(waiting));
        readable.replaceAll((tp, lso) -> Math.min(lso, ends.get(tp)));
        waiting.forEach(tp -> consumer.seek(tp, from.get(tp)));
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline && !done(waiting, found, readable)) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                if (r.offset() < ends.get(tp)) {
                    found.putIfAbsent(tp, r.timestamp());
                }
                // Found or not, this partition is answered: stop fetching it.
                consumer.pause(List.of(tp));
            }
        }
        return found;
    }

    /** Every partition has its first record, or was read to its end without one (only markers were left). */
    private boolean done(
            List<TopicPartition> waiting, Map<TopicPartition, Long> found, Map<TopicPartition, Long> ends) {
        return waiting.stream().allMatch(tp -> found.containsKey(tp) || consumer.position(tp) >= ends.get(tp));
    }

    @Override
    public void close() {
        consumer.close();
    }
}

package dev.sluice.server.admin;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/** Reads a topic whole, as the replays and backfills do: their input, and the marks of what they did. */
final class TopicReader {
    /** How long a read may go without progress before it gives up. */
    static final Duration STALL_TIMEOUT = Duration.ofSeconds(30);

    private TopicReader() {}

    /** Hands every committed record of a topic to {@code each}, from its start to its end at the call. */
    static void readAll(
            KafkaConsumer<byte[], byte[]> consumer, String topic, Consumer<ConsumerRecord<byte[], byte[]>> each) {
        List<TopicPartition> partitions = consumer.partitionsFor(topic, STALL_TIMEOUT).stream()
                .map(p -> new TopicPartition(topic, p.partition()))
                .toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
        long stalledSince = System.nanoTime();
        while (!ends.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
            if (System.nanoTime() - stalledSince > STALL_TIMEOUT.toNanos()) {
                throw new IllegalStateException(
                        "could not read " + topic + " to its end: no progress for " + STALL_TIMEOUT);
            }
            ConsumerRecords<byte[], byte[]> polled = consumer.poll(Duration.ofMillis(200));
            if (!polled.isEmpty()) {
                stalledSince = System.nanoTime();
            }
            for (ConsumerRecord<byte[], byte[]> r : polled) {
                if (r.offset() < ends.get(new TopicPartition(r.topic(), r.partition()))) {
                    each.accept(r);
                }
            }
        }
    }

    /** A compacted topic of marks as it stands: key to value, tombstones removing their key. */
    static Map<String, String> marks(KafkaConsumer<byte[], byte[]> consumer, String topic) {
        Map<String, String> marks = new HashMap<>();
        readAll(consumer, topic, r -> {
            String key = new String(r.key(), StandardCharsets.UTF_8);
            if (r.value() == null) {
                marks.remove(key);
            } else {
                marks.put(key, new String(r.value(), StandardCharsets.UTF_8));
            }
        });
        return marks;
    }
}

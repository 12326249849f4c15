package dev.sluice.server.admin;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.config.KafkaConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;

/**
 * Reads a topic's records for people to look at: the last N, or each new one as it is committed. Reads only
 * committed records (what the next stage sees), with no consumer group: looking never moves anyone's offsets.
 */
public final class RecordTail {
    // A value such as "12 apples" is text, not the number 12 with something after it.
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    /** How long reading the last records may take before answering with what was read. */
    private static final Duration READ_LAST_TIMEOUT = Duration.ofSeconds(5);

    private final KafkaConfig kafka;

    public RecordTail(KafkaConfig kafka) {
        this.kafka = kafka;
    }

    /** The topic's last {@code n} committed records across its partitions, oldest first, by timestamp. */
    public List<ObjectNode> last(String topic, int n) {
        List<ConsumerRecord<byte[], byte[]>> read = new ArrayList<>();
        long deadline = System.nanoTime() + READ_LAST_TIMEOUT.toNanos();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            for (TopicPartition tp : partitions(consumer, topic)) {
                // Each partition's last n, then the n newest of them all: the partitions' clocks interleave.
                read.addAll(lastOf(consumer, tp, n, deadline));
            }
        }
        read.sort(Comparator.<ConsumerRecord<byte[], byte[]>>comparingLong(ConsumerRecord::timestamp)
                .thenComparingInt(ConsumerRecord::partition)
                .thenComparingLong(ConsumerRecord::offset));
        return read.subList(Math.max(0, read.size() - n), read.size()).stream()
                .map(RecordTail::toJson)
                .toList();
    }

    /**
     * A partition's last {@code n} committed records. Offsets also count transaction markers and aborted
     * records, so n offsets back may hold fewer than n records: look twice as far back until there are n.
     */
    private static List<ConsumerRecord<byte[], byte[]>> lastOf(
            KafkaConsumer<byte[], byte[]> consumer, TopicPartition tp, int n, long deadline) {
        consumer.assign(List.of(tp));
        long start = consumer.beginningOffsets(List.of(tp)).get(tp);
        long end = consumer.endOffsets(List.of(tp)).get(tp);
        List<ConsumerRecord<byte[], byte[]>> read = new ArrayList<>();
        for (long back = Math.max(n, 1); ; back = Math.multiplyExact(back, 2)) {
            long from = Math.max(start, end - back);
            consumer.seek(tp, from);
            read.clear();
            while (consumer.position(tp) < end && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.offset() < end) {
                        read.add(r);
                    }
                }
            }
            if (read.size() >= n || from == start || System.nanoTime() >= deadline) {
                return read.subList(Math.max(0, read.size() - n), read.size());
            }
        }
    }

    /** Follows the topic from its end now: the follower sees each record committed after this returns. */
    public Follower follow(String topic) {
        KafkaConsumer<byte[], byte[]> consumer = consumer();
        try {
            List<TopicPartition> partitions = partitions(consumer, topic);
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position); // fixes "now" before returning
            return new Follower(consumer);
        } catch (RuntimeException e) {
            consumer.close(); // no group to leave, nothing to commit: quick
            throw e;
        }
    }

    /** One live tail of a topic; not thread-safe, as its consumer. */
    public static final class Follower implements AutoCloseable {
        private final KafkaConsumer<byte[], byte[]> consumer;

        private Follower(KafkaConsumer<byte[], byte[]> consumer) {
            this.consumer = consumer;
        }

        /** The records committed since the last poll, waiting up to {@code timeout} for the first. */
        public List<ObjectNode> poll(Duration timeout) {
            List<ObjectNode> records = new ArrayList<>();
            consumer.poll(timeout).forEach(r -> records.add(toJson(r)));
            return records;
        }

        @Override
        public void close() {
            consumer.close(); // no group to leave, nothing to commit: quick
        }
    }

    private static List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> consumer, String topic) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(5));
        return infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
    }

    private KafkaConsumer<byte[], byte[]> consumer() {
        return Readers.create(kafka, "sluice-tail");
    }

    /**
     * One record as the API shows it: where it is, its headers as text, and its value as JSON when it is JSON
     * (a dead letter may not be), else as text.
     */
    static ObjectNode toJson(ConsumerRecord<byte[], byte[]> r) {
        ObjectNode node = JSON.createObjectNode();
        node.put("topic", r.topic())
                .put("partition", r.partition())
                .put("offset", r.offset())
                .put("timestamp", r.timestamp());
        node.put("key", r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8));
        ObjectNode headers = node.putObject("headers");
        for (Header h : r.headers()) {
            headers.put(h.key(), h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8));
        }
        if (r.value() == null) {
            node.putNull("value");
        } else {
            node.set("value", valueOf(r.value()));
        }
        return node;
    }

    private static JsonNode valueOf(byte[] value) {
        try {
            JsonNode parsed = JSON.readTree(value);
            if (!parsed.isMissingNode()) {
                return parsed;
            }
        } catch (IOException notJson) {
            // shown as text below
        }
        return JSON.getNodeFactory().textNode(new String(value, StandardCharsets.UTF_8));
    }
}

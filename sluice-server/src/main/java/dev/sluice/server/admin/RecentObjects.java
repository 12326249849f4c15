package dev.sluice.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.config.KafkaConfig;
import dev.sluice.wire.Topics;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last objects each pipeline wrote, from the notifications on {@code sluice.notifications}: the same
 * events a workflow is started by, so what an operator sees is what was announced. Follows the topic from a
 * little before its end when it starts, so it knows the recent past of a pipeline it did not watch.
 */
public final class RecentObjects implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RecentObjects.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Kept per pipeline. */
    static final int KEPT = 20;
    /** How far back each notification partition is read at start. */
    private static final int LOOK_BACK = 200;

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Map<String, Deque<JsonNode>> byPipeline = new HashMap<>();
    private final Thread thread;
    private volatile boolean closed;

    public RecentObjects(KafkaConfig kafka) {
        this.consumer = Readers.create(kafka, "sluice-recent-objects");
        this.thread = new Thread(this::run, "sluice-recent-objects");
        thread.setDaemon(true);
    }

    public RecentObjects start() {
        thread.start();
        return this;
    }

    /** The pipeline's last objects, newest first, as their notifications (key, size, records, times). */
    public synchronized List<JsonNode> of(String pipeline) {
        Deque<JsonNode> kept = byPipeline.get(pipeline);
        return kept == null ? List.of() : new ArrayList<>(kept);
    }

    private void run() {
        try {
            List<TopicPartition> partitions =
                    consumer.partitionsFor(Topics.NOTIFICATIONS, Duration.ofMinutes(1)).stream()
                            .map(p -> new TopicPartition(p.topic(), p.partition()))
                            .toList();
            consumer.assign(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            Map<TopicPartition, Long> starts = consumer.beginningOffsets(partitions);
            partitions.forEach(tp -> consumer.seek(tp, Math.max(starts.get(tp), ends.get(tp) - LOOK_BACK)));
            while (!closed) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofSeconds(1))) {
                    add(r.value());
                }
            }
        } catch (WakeupException | InterruptException e) {
            // closing
        } catch (RuntimeException e) {
            if (!closed) {
                log.warn("stopped following {}; the API's recent objects stay as they are", Topics.NOTIFICATIONS, e);
            }
        } finally {
            consumer.close(); // no group to leave, nothing to commit: quick
        }
    }

    private synchronized void add(byte[] value) {
        JsonNode n;
        try {
            n = JSON.readTree(value);
        } catch (IOException e) {
            return; // not a notification Sluice wrote
        }
        String pipeline = n.path("pipeline").asText(null);
        String key = n.path("object").path("key").asText(null);
        if (pipeline == null || key == null) {
            return;
        }
        Deque<JsonNode> kept = byPipeline.computeIfAbsent(pipeline, p -> new ArrayDeque<>());
        // Delivery is at least once: a recovered batch can be announced again.
        kept.removeIf(o -> key.equals(o.path("object").path("key").asText()));
        kept.addFirst(n);
        while (kept.size() > KEPT) {
            kept.removeLast();
        }
    }

    @Override
    public void close() {
        closed = true;
        consumer.wakeup();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

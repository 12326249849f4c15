package dev.sluice.sink;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds the spool file of a recorded batch whose object may not exist yet, from Kafka: the records
 * of each source partition in the batch's offset range that map to the batch's output partition
 * under the batch's own layout. The result holds exactly the batch's records, so uploading it under
 * the recorded key completes the batch without loss or duplicates.
 */
final class Rebuilder {
    private static final Logger log = LoggerFactory.getLogger(Rebuilder.class);
    private static final Duration TIMEOUT = Duration.ofMinutes(5);

    private final String topic;
    private final SinkClients clients;

    Rebuilder(String topic, SinkClients clients) {
        this.topic = topic;
        this.clients = clients;
    }

    /** Writes the batch's records to {@code spool}, one NDJSON line each, and returns how many there were. */
    long rebuild(BatchManifest manifest, Path spool) throws IOException {
        ObjectKeyLayout layout = new ObjectKeyLayout(manifest.layout());
        Map<TopicPartition, OffsetRange> ranges = new HashMap<>();
        manifest.ranges().forEach((p, range) -> ranges.put(new TopicPartition(topic, p), range));
        long records = 0;
        try (Consumer<byte[], byte[]> consumer = clients.reader("rebuild");
                OutputStream out = new BufferedOutputStream(Files.newOutputStream(spool), 64 * 1024)) {
            consumer.assign(List.copyOf(ranges.keySet()));
            Map<TopicPartition, Long> earliest = consumer.beginningOffsets(ranges.keySet());
            ranges.forEach((tp, range) -> {
                if (earliest.get(tp) > range.first()) {
                    log.error(
                            "batch {}: Kafka no longer holds offsets {}-{} of {} (retention); those records of the "
                                    + "batch are lost",
                            manifest.key(),
                            range.first(),
                            earliest.get(tp) - 1,
                            tp);
                }
                consumer.seek(tp, Math.max(range.first(), earliest.get(tp)));
            });
            long deadline = System.currentTimeMillis() + TIMEOUT.toMillis();
            while (ranges.entrySet().stream()
                    .anyMatch(e -> consumer.position(e.getKey()) <= e.getValue().last())) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IOException(
                            "could not read batch " + manifest.key() + " back from " + topic + " within " + TIMEOUT);
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    OffsetRange range = ranges.get(new TopicPartition(record.topic(), record.partition()));
                    if (record.value() == null || !range.contains(record.offset())) {
                        continue;
                    }
                    if (layout.partition(record.timestamp(), record.value()).equals(manifest.partition())) {
                        NdjsonEncoder.writeLine(out, record.value());
                        records++;
                    }
                }
                // Stop fetching what lies beyond a partition's range.
                ranges.forEach((tp, range) -> {
                    if (consumer.position(tp) > range.last()) {
                        consumer.pause(List.of(tp));
                    }
                });
            }
        }
        if (records != manifest.records()) {
            log.error(
                    "batch {}: rebuilt {} records from Kafka, but it was recorded with {}",
                    manifest.key(),
                    records,
                    manifest.records());
        }
        return records;
    }
}

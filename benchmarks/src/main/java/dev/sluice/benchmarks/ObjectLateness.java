package dev.sluice.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.f4b6a3.ulid.Ulid;
import dev.sluice.wire.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * How long each object of a pipeline took to appear, from the event notifications: an object's
 * lateness is its notification's {@code eventTime} (written) minus its {@code minEventTime} (the
 * oldest record in it; the ingest time when the pipeline takes no event time from the records). Prints
 * the distribution and how many objects exceeded {@code --limit}; and how long each took after its batch
 * was rotated (the ULID of its key is made then): encoding, upload and the confirming transaction.
 *
 * <pre>
 * java -cp 'benchmarks/target/benchmarks.jar:benchmarks/target/lib/*' dev.sluice.benchmarks.ObjectLateness \
 *     --bootstrap 127.0.0.1:19092 --pipeline bench --since 2026-11-28T15:00:00Z --limit 12s
 * </pre>
 */
@Command(name = "object-lateness", mixinStandardHelpOptions = true)
public final class ObjectLateness implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--bootstrap", defaultValue = "127.0.0.1:19092")
    String bootstrap;

    @Option(names = "--pipeline", defaultValue = "bench")
    String pipeline;

    @Option(names = "--since", required = true, description = "objects whose oldest record is at or after this instant")
    Instant since;

    @Option(names = "--limit", required = true, description = "maxDuration + allowance, e.g. 12s")
    String limit;

    @Option(names = "--each", description = "also print every object: key, oldest record, written")
    boolean each;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ObjectLateness()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        long limitMillis = Duration.parse("PT" + limit.toUpperCase(Locale.ROOT)).toMillis();
        Histogram lateness = new Histogram(3);
        Histogram afterRotation = new Histogram(3);
        long objects = 0;
        long records = 0;
        long over = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
                Map.of("bootstrap.servers", bootstrap, "isolation.level", "read_committed"),
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.NOTIFICATIONS).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofSeconds(1))) {
                    JsonNode n = JSON.readTree(record.value());
                    Instant oldest = Instant.parse(n.path("minEventTime").asText());
                    if (!pipeline.equals(n.path("pipeline").asText()) || oldest.isBefore(since)) {
                        continue;
                    }
                    Instant written = Instant.parse(n.path("eventTime").asText());
                    long millis = Duration.between(oldest, written).toMillis();
                    if (each) {
                        System.out.printf(
                                "%s %s %s %s%n",
                                n.path("object").path("key").asText(),
                                oldest,
                                written,
                                n.path("closedBy").asText());
                    }
                    lateness.recordValue(Math.max(0, millis));
                    String key = n.path("object").path("key").asText();
                    Instant rotated = Ulid.from(key.substring(key.lastIndexOf('/') + 1, key.lastIndexOf('/') + 27))
                            .getInstant();
                    afterRotation.recordValue(
                            Math.max(0, Duration.between(rotated, written).toMillis()));
                    objects++;
                    records += n.path("records").asLong();
                    if (millis > limitMillis) {
                        over++;
                    }
                }
            }
        }
        System.out.printf(
                Locale.ROOT,
                "  objects=%d records=%,d; written after their oldest record by s: p50=%.1f p99=%.1f max=%.1f;"
                        + " over %s: %d%n",
                objects,
                records,
                lateness.getValueAtPercentile(50) / 1e3,
                lateness.getValueAtPercentile(99) / 1e3,
                lateness.getMaxValue() / 1e3,
                limit,
                over);
        System.out.printf(
                Locale.ROOT,
                "  written after their batch was rotated by s: p50=%.2f p99=%.2f max=%.2f%n",
                afterRotation.getValueAtPercentile(50) / 1e3,
                afterRotation.getValueAtPercentile(99) / 1e3,
                afterRotation.getMaxValue() / 1e3);
        return over == 0 ? 0 : 1;
    }
}

package dev.sluice.server.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.config.KafkaConfig;
import dev.sluice.config.PipelineConfig;
import dev.sluice.wire.ClientIds;
import dev.sluice.wire.DeadLetterStage;
import dev.sluice.wire.SluiceHeaders;
import dev.sluice.wire.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Puts a pipeline's dead letters back, each once. A dead letter goes back where it failed: to {@code {p}} to be
 * parsed, checked and transformed again, or, when the sink's Parquet encoder refused it, to {@code {p}.out}.
 * It keeps its key, value and headers but the error ones, and gains {@code sluice.replay.of}; if it fails
 * again it is a new dead letter, with its new reason.
 *
 * <p>Each put-back record and a mark in {@code {p}.dlq-replayed} (keyed by the dead letter's
 * {@code partition@offset}) are written in one Kafka transaction, and a replay skips what is marked: the same
 * replay twice, or a replay after a crash half-way, puts nothing back twice. All replays of a pipeline share
 * one transactional id, so two at once (from two processes) fence each other; the fenced one fails with
 * nothing written, and the one that goes on sees every mark the other committed.
 */
public final class DeadLetterReplay {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Dead letters per transaction: a crash loses at most this much of a replay's progress, never its marks. */
    private static final int PER_TRANSACTION = 5_000;

    private final KafkaConfig kafka;
    private final int maxRequestBytes;
    private final Clock clock;

    /** @param maxRequestBytes the producer's largest request: as ingest's, so that every accepted record fits */
    public DeadLetterReplay(KafkaConfig kafka, int maxRequestBytes, Clock clock) {
        this.kafka = kafka;
        this.maxRequestBytes = maxRequestBytes;
        this.clock = clock;
    }

    /**
     * What a replay did: dead letters it looked at that the filter matched and were put back, that were
     * already put back by an earlier replay, and that the filter left.
     */
    public record Result(long replayed, long alreadyReplayed, long notMatched) {}

    /** A replay's running counts. */
    private static final class Counts {
        long replayed;
        long alreadyReplayed;
        long notMatched;
        int inTransaction;
    }

    /** Replays every dead letter of {@code pipeline} the filter matches, up to the end of its DLQ at the call. */
    public synchronized Result replay(PipelineConfig pipeline, ReplayFilter filter) {
        Map<String, Object> props = kafka.clientProperties();
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, ClientIds.deadLetterReplay(pipeline.name()));
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "sluice-dlq-replay");
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, maxRequestBytes);
        try (KafkaProducer<byte[], byte[]> producer =
                        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
                KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            // First fence any other replay of this pipeline: what it committed is then in the marks read next.
            producer.initTransactions();
            Set<String> done = replayed(consumer, pipeline);
            Counts counts = new Counts();
            String replayedAt = clock.instant().toString();
            TopicReader.readAll(consumer, pipeline.dlqTopic(), dead -> {
                String mark = mark(dead);
                if (done.contains(mark)) {
                    counts.alreadyReplayed++;
                    return;
                }
                if (!filter.matches(dead.headers(), dead.timestamp())) {
                    counts.notMatched++;
                    return;
                }
                if (counts.inTransaction == 0) {
                    producer.beginTransaction();
                }
                ProducerRecord<byte[], byte[]> back = putBack(pipeline, dead, clock.millis());
                // A failed send fails the commit: the transaction is the unit that succeeds or not.
                Future<?> unused = producer.send(back);
                byte[] note = JSON.createObjectNode()
                        .put("replayedAt", replayedAt)
                        .put("to", back.topic())
                        .toString()
                        .getBytes(StandardCharsets.UTF_8);
                unused = producer.send(new ProducerRecord<>(
                        Topics.deadLettersReplayed(pipeline.name()), mark.getBytes(StandardCharsets.UTF_8), note));
                counts.replayed++;
                if (++counts.inTransaction == PER_TRANSACTION) {
                    producer.commitTransaction();
                    counts.inTransaction = 0;
                }
            });
            if (counts.inTransaction > 0) {
                producer.commitTransaction();
            }
            return new Result(counts.replayed, counts.alreadyReplayed, counts.notMatched);
        }
    }

    /** Which of {@code deadLetters} (the DLQ's records) earlier replays put back. */
    public Set<String> replayedOf(PipelineConfig pipeline) {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            return replayed(consumer, pipeline);
        }
    }

    /** A dead letter's key in {@code {p}.dlq-replayed}: its partition and offset in the DLQ. */
    static String mark(ConsumerRecord<?, ?> deadLetter) {
        return deadLetter.partition() + "@" + deadLetter.offset();
    }

    /** The record a dead letter goes back as: without its error headers, with where it came from. */
    static ProducerRecord<byte[], byte[]> putBack(
            PipelineConfig pipeline, ConsumerRecord<byte[], byte[]> dead, long now) {
        String stage = ReplayFilter.text(dead.headers(), SluiceHeaders.ERROR_STAGE);
        String topic = DeadLetterStage.PARQUET.wireName().equals(stage) ? pipeline.outputTopic() : pipeline.topic();
        Headers headers = new RecordHeaders();
        for (Header h : dead.headers()) {
            if (!h.key().startsWith(SluiceHeaders.ERROR_PREFIX) && !h.key().equals(SluiceHeaders.REPLAY_OF)) {
                headers.add(h);
            }
        }
        headers.add(SluiceHeaders.REPLAY_OF, (dead.topic() + "/" + mark(dead)).getBytes(StandardCharsets.UTF_8));
        // The dead letter's own timestamp, its ingest time: the sink files a record under it, so a replayed
        // record lands in the time folders it would have. Only one without (the sink's Parquet rejects) gets now.
        long timestamp = dead.timestamp() >= 0 ? dead.timestamp() : now;
        return new ProducerRecord<>(topic, null, timestamp, dead.key(), dead.value(), headers);
    }

    private static Set<String> replayed(KafkaConsumer<byte[], byte[]> consumer, PipelineConfig pipeline) {
        return TopicReader.marks(consumer, Topics.deadLettersReplayed(pipeline.name()))
                .keySet();
    }

    private KafkaConsumer<byte[], byte[]> consumer() {
        return Readers.create(kafka, "sluice-dlq-replay");
    }
}

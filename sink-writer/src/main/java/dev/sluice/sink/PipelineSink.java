package dev.sluice.sink;

import com.github.f4b6a3.ulid.UlidCreator;
import dev.sluice.config.KafkaConfig;
import dev.sluice.config.PipelineConfig;
import dev.sluice.config.SinkConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The sink of one pipeline: a consumer in group {@code {pipeline}-sink} that appends each record to
 * the open batch of its Hive partition ({@link ObjectKeyLayout}), closes batches by {@link BatchPolicy}, uploads them, and
 * only then commits the consumed offsets. A crash before the commit re-reads the batch (at least
 * once); see the README for what the exactly-once protocol will add.
 *
 * <p>All Kafka and batch state is confined to the sink's own thread.
 */
public final class PipelineSink implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PipelineSink.class);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);
    /** How long a stopping sink keeps retrying the uploads of its last batches before it gives up. */
    private static final long SHUTDOWN_UPLOAD_GRACE_MILLIS = 30_000;
    /** How long a stopping sink keeps reading to reach the end of its topic before writing its last batches. */
    private static final long SHUTDOWN_DRAIN_MILLIS = 10_000;

    private final PipelineConfig pipeline;
    private final SinkConfig sink;
    private final BatchPolicy policy;
    private final ObjectKeyLayout layout;
    private final ObjectUploader uploader;
    private final Consumer<WrittenObject> onWritten;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private final Map<String, Batch> openBatches = new LinkedHashMap<>();
    private final Map<TopicPartition, OffsetAndMetadata> lastCommitted = new HashMap<>();

    private volatile boolean running = true;
    private volatile long stopRequestedAt;

    public PipelineSink(PipelineConfig pipeline, KafkaConfig kafka, S3Client s3, Consumer<WrittenObject> onWritten) {
        this.pipeline = pipeline;
        this.sink = pipeline.sink();
        this.policy = BatchPolicy.from(sink.batch());
        this.layout = new ObjectKeyLayout(sink);
        this.uploader = new ObjectUploader(s3, sink.multipartThreshold(), sink.multipartPartSize());
        this.onWritten = onWritten;
        this.consumer = new KafkaConsumer<>(consumerProperties(pipeline, kafka),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.thread = new Thread(this::run, "sluice-sink-" + pipeline.name());
    }

    public static String groupId(PipelineConfig pipeline) {
        return pipeline.name() + "-sink";
    }

    private static Map<String, Object> consumerProperties(PipelineConfig pipeline, KafkaConfig kafka) {
        Map<String, Object> props = kafka.clientProperties();
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId(pipeline));
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "sluice-sink-" + pipeline.name());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // The processor writes its output in transactions; aborted records must never reach storage.
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return props;
    }

    public void start() {
        consumer.subscribe(List.of(pipeline.outputTopic()), new FlushOnRebalance());
        thread.start();
    }

    private void run() {
        try {
            while (running) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL_TIMEOUT);
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    append(record);
                }
                closeExpiredBatches(System.currentTimeMillis());
                commitWhatIsWritten();
            }
            readToTheEnd();
            closeAllBatches(CloseReason.SHUTDOWN);
            commitWhatIsWritten();
        } catch (ObjectUploader.UploadAbandonedException e) {
            // Nothing of these batches was committed, so dropping them here loses nothing: the next
            // start reads their records again. Dropping them also keeps close()'s revoke from retrying.
            openBatches.clear();
            log.warn("pipeline {}: stopped with unwritten batches; their records are not committed and will be "
                    + "written after the next start: {}", pipeline.name(), e.getMessage());
        } catch (Throwable t) {
            log.error("pipeline {}: sink stopped", pipeline.name(), t);
        } finally {
            consumer.close();
        }
    }

    /** On stop, reads what the processor committed before it stopped, so that this stop writes it too. */
    private void readToTheEnd() {
        Map<TopicPartition, Long> ends = consumer.endOffsets(consumer.assignment());
        long deadline = System.currentTimeMillis() + SHUTDOWN_DRAIN_MILLIS;
        while (System.currentTimeMillis() < deadline
                && ends.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL_TIMEOUT)) {
                append(record);
            }
        }
    }

    private void append(ConsumerRecord<byte[], byte[]> record) {
        if (record.value() == null) {
            return; // a tombstone carries no record
        }
        String partition = layout.partition(record.timestamp(), record.value());
        Batch batch = openBatches.computeIfAbsent(partition,
                p -> new Batch(p, System.currentTimeMillis(), sink.compression() == SinkConfig.Compression.GZIP));
        batch.add(new TopicPartition(record.topic(), record.partition()), record.offset(), record.value());
        policy.sizeLimitReached(batch.bytes(), batch.records()).ifPresent(reason -> {
            openBatches.remove(partition);
            write(batch, reason);
        });
    }

    private void closeExpiredBatches(long now) {
        for (Iterator<Batch> it = openBatches.values().iterator(); it.hasNext(); ) {
            Batch batch = it.next();
            if (policy.isExpired(batch.openedAtMillis, now)) {
                it.remove();
                write(batch, CloseReason.DURATION);
            }
        }
    }

    private void closeAllBatches(CloseReason reason) {
        List<Batch> batches = new ArrayList<>(openBatches.values());
        openBatches.clear();
        for (Batch batch : batches) {
            write(batch, reason);
        }
    }

    private void write(Batch batch, CloseReason reason) {
        boolean gzip = sink.compression() == SinkConfig.Compression.GZIP;
        String key = layout.key(batch.partition, UlidCreator.getMonotonicUlid().toString(), NdjsonEncoder.extension(gzip));
        byte[] body = batch.finish();
        String eTag = uploader.put(sink.bucket(), key, body, gzip ? "application/gzip" : "application/x-ndjson",
                this::keepTryingUploads);
        log.info("wrote s3://{}/{} ({} {}, {} bytes, closed by {})", sink.bucket(), key, batch.records(),
                batch.records() == 1 ? "record" : "records", body.length, reason.name().toLowerCase(Locale.ROOT));
        onWritten.accept(new WrittenObject(pipeline.name(), sink.bucket(), key, body.length, eTag, batch.records(), reason));
    }

    private boolean keepTryingUploads() {
        return running || System.currentTimeMillis() - stopRequestedAt < SHUTDOWN_UPLOAD_GRACE_MILLIS;
    }

    /**
     * Commits, per source partition, the first offset not yet in a written object: the consumer's
     * position, held back to the first offset of any batch still open.
     */
    private void commitWhatIsWritten() {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition tp : consumer.assignment()) {
            long safe = consumer.position(tp);
            for (Batch batch : openBatches.values()) {
                safe = Math.min(safe, batch.firstOffset(tp));
            }
            OffsetAndMetadata offset = new OffsetAndMetadata(safe);
            if (!offset.equals(lastCommitted.get(tp))) {
                offsets.put(tp, offset);
            }
        }
        if (!offsets.isEmpty()) {
            consumer.commitSync(offsets);
            lastCommitted.putAll(offsets);
        }
    }

    /** Stops polling, writes every open batch, commits, and waits for the sink thread to finish. */
    @Override
    public void close() throws InterruptedException {
        stopRequestedAt = System.currentTimeMillis();
        running = false;
        thread.join();
    }

    /**
     * Batches may mix records of several source partitions, so before any partition moves to
     * another sink instance every open batch is written and committed; the new owner starts
     * exactly after what this one wrote.
     */
    private final class FlushOnRebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (!partitions.isEmpty()) {
                closeAllBatches(CloseReason.REBALANCE);
                commitWhatIsWritten();
            }
            partitions.forEach(lastCommitted::remove);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {}

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            // The partitions already belong to someone else, so offsets can no longer be committed.
            // Writing the batches keeps every record (the new owner may write some twice); dropping
            // them would lose records of partitions this instance still owns.
            closeAllBatches(CloseReason.REBALANCE);
            partitions.forEach(lastCommitted::remove);
        }
    }
}

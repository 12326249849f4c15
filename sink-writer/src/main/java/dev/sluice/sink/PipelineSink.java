package dev.sluice.sink;

import dev.sluice.config.KafkaConfig;
import dev.sluice.config.PipelineConfig;
import dev.sluice.config.SinkConfig;
import dev.sluice.sink.UploadWorkers.Uploaded;
import dev.sluice.wire.ClientIds;
import dev.sluice.wire.DeadLetterStage;
import dev.sluice.wire.SluiceHeaders;
import dev.sluice.wire.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The sink of one pipeline: reads {@code {pipeline}.out} in consumer group {@code {pipeline}-sink},
 * appends each record to the open batch of its output partition ({@link ObjectKeyLayout}), closes
 * batches by {@link BatchPolicy}, and writes each as one object, exactly once.
 *
 * <h2>The protocol</h2>
 * <ol>
 *   <li><b>Record.</b> A closed batch gets its object key (a new ULID) and its manifest (key, output
 *       partition, per source partition the offset range it was cut from) is written to the state
 *       topic ({@link SinkState}) in a Kafka transaction that also commits the consumer offsets: up
 *       to the first record of the oldest batch still open.</li>
 *   <li><b>Upload.</b> Only then is it encoded and uploaded, off the polling thread, at most
 *       {@code maxConcurrentUploads} at once, retried with backoff for as long as the store fails.</li>
 *   <li><b>Confirm.</b> A second transaction marks the manifest written and publishes the object's
 *       notification (and any records the format rejected to the dead-letter topic).</li>
 * </ol>
 * A crash before (1) commits leaves the records uncommitted: they are read and batched again. A crash
 * after (1) leaves a pending manifest: whoever owns the partitions next rebuilds that batch from
 * Kafka, exactly ({@link Rebuilder}), and uploads it under the recorded key, overwriting whatever an
 * interrupted attempt left; then confirms it. Records of recorded batches that lie beyond the committed
 * offsets are skipped when read again ({@link RecordedBatches}). So every record lands in exactly one
 * object, and every object gets at least one notification, whatever instant the crash comes at. The
 * limit: Kafka's retention of {@code {pipeline}.out} must outlive any outage of the sink or store.
 *
 * <p>Any error of the protocol itself (a transaction that fails, partitions lost to a rebalance)
 * drops everything in memory and starts again from what Kafka holds, which the protocol makes safe.
 * Kafka state lives on the sink's own thread; upload workers only hand results back through a queue.
 */
public final class PipelineSink implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PipelineSink.class);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);
    /** How often offsets alone (no batch closed) are committed when they moved. */
    private static final long IDLE_COMMIT_MILLIS = 1_000;
    /** How long a stopping sink keeps retrying the uploads of its last batches before it leaves them to the next start. */
    private static final long SHUTDOWN_UPLOAD_GRACE_MILLIS = 30_000;
    /** How long a stopping sink keeps reading to reach the end of its topic before writing its last batches. */
    private static final long SHUTDOWN_DRAIN_MILLIS = 10_000;
    /** How long a rebalance waits for in-flight uploads before it leaves them to the partitions' next owner. */
    private static final long REVOKE_UPLOAD_GRACE_MILLIS = 30_000;

    private final PipelineConfig pipeline;
    private final SinkConfig sink;
    private final SinkClients clients;
    private final String account;
    private final String memberId;
    private final Clock clock;
    private final ObjectKeyLayout layout;
    private final ObjectEncoders encoders;
    private final SpoolDir spool;
    private final Consumer<WrittenObject> onWritten;
    private final Thread thread;
    private final UploadWorkers uploads;

    // Confined to the sink thread.
    private org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer;
    private SinkState state;
    private final RecordedBatches recorded;
    private final OpenBatches batches;
    private final List<Uploaded> toConfirm = new ArrayList<>();
    private final Map<String, BatchManifest> inFlight = new HashMap<>();
    /** Per recorded batch not yet confirmed, since when its oldest record waits (freshness). */
    private final Map<String, Long> inFlightSince = new HashMap<>();

    private final SinkMetrics metrics;
    private final Map<TopicPartition, OffsetAndMetadata> lastCommitted = new HashMap<>();
    private long lastTransactionAt;
    private long lastOffsetCheckAt;
    private boolean paused;
    /**
     * Set while the consumer closes: closing calls {@link Rebalance#onPartitionsRevoked}, which must not commit then.
     * What was in memory is dropped by that time, and the consumer's position has passed records no batch holds any
     * more (those of a transaction that just failed); committing it would skip them for good.
     */
    private boolean closing;

    private volatile boolean running = true;
    private volatile long stopRequestedAt;
    /** Why the sink is starting over, while it is; null when it runs. */
    private volatile String failing;

    /**
     * @param pipeline   the pipeline
     * @param kafka      the cluster
     * @param s3         the store
     * @param account    the {@code account} of notifications
     * @param workDir    a local folder of this sink's own for spool files
     * @param instanceId this process's stable id: it names the transactional id and static group
     *                   membership, so that a restarted instance fences its predecessor at once
     * @param registry   where its meters go ({@link SinkMetrics})
     * @param onWritten  told of every object once it is confirmed
     */
    public PipelineSink(
            PipelineConfig pipeline,
            KafkaConfig kafka,
            S3Client s3,
            String account,
            Path workDir,
            String instanceId,
            MeterRegistry registry,
            Consumer<WrittenObject> onWritten) {
        this(
                pipeline,
                new KafkaSinkClients(
                        kafka, ClientIds.sinkGroup(pipeline.name()), ClientIds.sinkMember(pipeline.name(), instanceId)),
                s3,
                account,
                workDir,
                Clock.systemUTC(),
                registry,
                onWritten);
    }

    /**
     * @param clients where the sink gets its Kafka clients
     * @param clock   the time batches open and expire by, and notifications carry; waits for real
     *                events (uploads, shutdown) use real time
     */
    PipelineSink(
            PipelineConfig pipeline,
            SinkClients clients,
            S3Client s3,
            String account,
            Path workDir,
            Clock clock,
            MeterRegistry registry,
            Consumer<WrittenObject> onWritten) {
        this.pipeline = pipeline;
        this.metrics = new SinkMetrics(
                registry, pipeline.name(), pipeline.sink().batch().maxDuration(), clock);
        this.sink = pipeline.sink();
        this.clients = clients;
        this.account = account;
        this.memberId = clients.memberId();
        this.clock = clock;
        this.layout = new ObjectKeyLayout(sink);
        this.recorded = new RecordedBatches(layout);
        this.encoders = new ObjectEncoders(pipeline);
        this.spool = new SpoolDir(workDir);
        this.onWritten = onWritten;
        this.thread = new Thread(this::run, "sluice-sink-" + pipeline.name());
        this.uploads = new UploadWorkers(
                pipeline.name(),
                sink.maxConcurrentUploads(),
                spool,
                encoders,
                new ObjectUploader(s3, sink.multipartThreshold(), sink.multipartPartSize(), metrics::retried),
                new Rebuilder(pipeline.outputTopic(), clients),
                () -> running || System.currentTimeMillis() - stopRequestedAt < SHUTDOWN_UPLOAD_GRACE_MILLIS,
                metrics);
        boolean gzipNdjson =
                sink.format() == SinkConfig.Format.NDJSON && sink.compression() == SinkConfig.Compression.GZIP;
        this.batches = new OpenBatches(
                sink,
                layout,
                encoders.of(sink.format(), sink.compression()).extension(),
                spool,
                gzipNdjson ? uploads.gzipThreads() : null);
    }

    public void start() {
        spool.prepare();
        thread.start();
    }

    /**
     * Null while the sink runs (or is starting); else why it does not: {@code GET /healthz} reports it
     * under {@code sink/<pipeline>}.
     */
    public String problem() {
        if (running && thread.getState() == Thread.State.TERMINATED) {
            return "the sink of pipeline " + pipeline.name() + " stopped";
        }
        String why = failing;
        return why == null ? null : "the sink of pipeline " + pipeline.name() + " is starting over after: " + why;
    }

    private void run() {
        int failures = 0;
        while (running) {
            try {
                connect();
                step();
                failures = 0; // connected and read: what failed before has passed
                failing = null;
                while (running) {
                    step();
                }
                finish();
                return;
            } catch (Throwable t) {
                if (!running) {
                    log.warn(
                            "pipeline {}: sink stopped with an error; what it had not confirmed is completed at the "
                                    + "next start",
                            pipeline.name(),
                            t);
                    return;
                }
                if (causedBy(t, PartitionsLost.class)) {
                    log.warn(
                            "pipeline {}: sink lost its partitions to a rebalance; starting over from what Kafka holds",
                            pipeline.name());
                } else {
                    failing = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
                    log.error(
                            "pipeline {}: sink failed; starting over from what Kafka holds in up to {} ms",
                            pipeline.name(),
                            Backoff.RESTART.ceilingMillis(failures + 1),
                            t);
                }
            } finally {
                disconnect();
            }
            uploads.awaitIdle(Duration.ofMinutes(2));
            Backoff.RESTART.sleep(++failures);
        }
    }

    private static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    private void connect() {
        closing = false;
        state = new SinkState(pipeline.name(), clients);
        consumer = clients.groupMember();
        consumer.subscribe(List.of(pipeline.outputTopic()), new Rebalance());
        lastTransactionAt = clock.millis();
    }

    /** Drops everything held in memory; Kafka and the state topic hold what matters. */
    private void disconnect() {
        uploads.startOver();
        batches.discardAll();
        toConfirm.forEach(Uploaded::cleanUp);
        toConfirm.clear();
        inFlight.clear();
        inFlightSince.clear();
        recorded.clear();
        lastCommitted.clear();
        paused = false;
        if (consumer != null) {
            closing = true;
            try {
                // A sink that stops for good leaves the group so that its partitions move at once; one that
                // starts over stays, as the same static member, and gets them back without a rebalance.
                consumer.close(CloseOptions.groupMembershipOperation(
                                running
                                        ? CloseOptions.GroupMembershipOperation.REMAIN_IN_GROUP
                                        : CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                        .withTimeout(Duration.ofSeconds(10)));
            } catch (RuntimeException e) {
                log.debug("closing the sink consumer failed", e);
            }
            consumer = null;
        }
        if (state != null) {
            try {
                state.close();
            } catch (RuntimeException e) {
                log.debug("closing the sink producer failed", e);
            }
            state = null;
        }
    }

    private void step() {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL_TIMEOUT)) {
            append(record);
        }
        long now = clock.millis();
        batches.rotateExpired(now);
        collectUploaded(0);
        if (!batches.rotated().isEmpty() || !toConfirm.isEmpty() || offsetsMovedSinceLastCommit(now)) {
            transact();
        }
        applyBackpressure();
        publishHeld();
    }

    private void publishHeld() {
        long oldest = batches.oldestOpenedAt();
        for (long since : inFlightSince.values()) {
            oldest = oldest < 0 ? since : Math.min(oldest, since);
        }
        metrics.held(batches.openCount(), inFlight.size(), oldest);
    }

    private void append(ConsumerRecord<byte[], byte[]> record) {
        if (record.value() == null) {
            return; // a tombstone carries no record
        }
        ObjectKeyLayout.Placement place = layout.place(record.timestamp(), record.value());
        if (recorded.contains(
                record.partition(), record.offset(), place.partition(), record.timestamp(), record.value())) {
            return;
        }
        batches.add(place, record.partition(), record.offset(), record.value(), clock.millis());
    }

    /** Records that closed no batch (tombstones, skipped ones) still move the offsets; checked once a second. */
    private boolean offsetsMovedSinceLastCommit(long now) {
        if (now - lastTransactionAt < IDLE_COMMIT_MILLIS || now - lastOffsetCheckAt < IDLE_COMMIT_MILLIS) {
            return false;
        }
        lastOffsetCheckAt = now;
        return !safeOffsets().equals(lastCommitted);
    }

    /**
     * Per assigned source partition, the first offset not yet in a recorded batch: the consumer's
     * position, held back to the first offset of any batch still open.
     */
    private Map<TopicPartition, OffsetAndMetadata> safeOffsets() {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition tp : consumer.assignment()) {
            long safe = Math.min(consumer.position(tp), batches.firstOffset(tp.partition()));
            offsets.put(tp, new OffsetAndMetadata(safe));
        }
        return offsets;
    }

    /**
     * One transaction: records the closed batches, confirms the uploaded ones (state, notification,
     * rejected records), forgets batches the offsets have passed, and commits the offsets. Only after
     * it commits do the recorded batches go to the uploaders.
     */
    private void transact() {
        List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>();
        for (OpenBatches.Rotated rotated : batches.rotated()) {
            state.addManifest(out, rotated.manifest());
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        for (Uploaded done : toConfirm) {
            state.addManifest(out, done.written());
            out.add(new ProducerRecord<>(
                    Topics.NOTIFICATIONS,
                    null,
                    now.toEpochMilli(),
                    done.written().key().getBytes(StandardCharsets.UTF_8),
                    Notification.of(account, pipeline.name(), done.written(), now, done.recovered(), memberId)));
            done.rejects().forEach((value, reason) -> out.add(deadLetter(value, reason)));
        }
        if (!toConfirm.isEmpty() && encoders.infersSchema()) {
            Set<Integer> partitions = new TreeSet<>();
            toConfirm.forEach(done -> partitions.addAll(done.written().ranges().keySet()));
            state.addSchema(out, partitions, encoders.inferred().toJson());
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = safeOffsets();
        offsets.forEach((tp, offset) -> {
            for (String key : recorded.removable(tp.partition(), offset.offset())) {
                state.addTombstone(out, tp.partition(), key);
            }
        });
        state.commit(out, offsets, consumer.groupMetadata());
        lastCommitted.clear();
        lastCommitted.putAll(offsets);
        lastTransactionAt = clock.millis();

        for (OpenBatches.Rotated rotated : batches.rotated()) {
            for (int p : rotated.manifest().ranges().keySet()) {
                recorded.add(p, rotated.manifest(), false);
            }
            CrashPoints.reached("afterRecord");
            inFlightSince.put(rotated.manifest().key(), rotated.openedAtMillis());
            upload(rotated.manifest(), rotated.spool(), rotated.gzipped());
        }
        batches.clearRotated();
        for (Uploaded done : toConfirm) {
            recorded.markWritten(done.written());
            inFlight.remove(done.written().key());
            inFlightSince.remove(done.written().key());
            metrics.written(done.written());
            BatchManifest m = done.written();
            log.info(
                    "wrote s3://{}/{} ({} {}, {} bytes, closed by {}{})",
                    m.bucket(),
                    m.key(),
                    m.recordsWritten(),
                    m.recordsWritten() == 1 ? "record" : "records",
                    m.size(),
                    m.closedBy().name().toLowerCase(Locale.ROOT),
                    m.rejected() == 0 ? "" : "; " + m.rejected() + " rejected to " + pipeline.dlqTopic());
            done.cleanUp();
            onWritten.accept(new WrittenObject(
                    pipeline.name(), m.bucket(), m.key(), m.size(), m.eTag(), m.recordsWritten(), m.closedBy()));
        }
        toConfirm.clear();
    }

    private ProducerRecord<byte[], byte[]> deadLetter(byte[] value, String reason) {
        RecordHeaders headers = new RecordHeaders();
        // Only the Parquet encoder refuses records; NDJSON writes any JSON object.
        headers.add(
                SluiceHeaders.ERROR_STAGE, DeadLetterStage.PARQUET.wireName().getBytes(StandardCharsets.UTF_8));
        headers.add(SluiceHeaders.ERROR_MESSAGE, reason.getBytes(StandardCharsets.UTF_8));
        return new ProducerRecord<>(pipeline.dlqTopic(), null, null, (byte[]) null, value, headers);
    }

    /** Hands a recorded batch to the upload workers; with no spool file it is rebuilt from Kafka first. */
    private void upload(BatchManifest manifest, Path spoolFile, CompletableFuture<Path> gzipped) {
        inFlight.put(manifest.key(), manifest);
        uploads.submit(manifest, spoolFile, gzipped);
    }

    /** Moves finished uploads of this epoch to {@link #toConfirm}, waiting up to {@code waitMillis} for the first. */
    private void collectUploaded(long waitMillis) {
        for (Uploaded u : uploads.takeFinished(waitMillis)) {
            if (inFlight.containsKey(u.written().key())) {
                CrashPoints.reached("afterUpload");
                toConfirm.add(u);
            } else {
                u.cleanUp();
            }
        }
    }

    /**
     * While more batches wait for the store than the uploaders can take, stop reading: the backlog
     * stays in Kafka (where ingest sees it and answers 429) instead of piling up here. Polling goes
     * on, so the sink keeps its group membership through an outage of any length.
     */
    private void applyBackpressure() {
        int limit = sink.maxConcurrentUploads();
        if (!paused && inFlight.size() >= 2 * limit) {
            paused = true;
            log.debug(
                    "pipeline {}: {} objects being written; pausing reads until the uploads catch up",
                    pipeline.name(),
                    inFlight.size());
        } else if (paused && inFlight.size() <= limit) {
            paused = false;
            consumer.resume(consumer.paused());
            log.debug("pipeline {}: uploads caught up; reading again", pipeline.name());
        }
        if (paused) {
            consumer.pause(consumer.assignment());
        }
    }

    /** Graceful stop: reads what was committed upstream, records every open batch, and waits for the uploads. */
    private void finish() {
        consumer.resume(consumer.paused());
        readToTheEnd();
        batches.rotateAll(CloseReason.SHUTDOWN);
        transact();
        awaitUploads(System.currentTimeMillis() + SHUTDOWN_UPLOAD_GRACE_MILLIS);
        if (!inFlight.isEmpty()) {
            log.warn(
                    "pipeline {}: stopping with {} recorded objects not yet written; the next start writes them",
                    pipeline.name(),
                    inFlight.size());
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

    /** Confirms uploads as they finish until none is in flight or the deadline passes. */
    private void awaitUploads(long deadline) {
        while (!inFlight.isEmpty() && System.currentTimeMillis() < deadline) {
            collectUploaded(100);
            if (!toConfirm.isEmpty()) {
                transact();
            }
        }
    }

    /** Stops polling, writes every open batch, confirms, and waits for the sink thread to finish. */
    @Override
    public void close() throws InterruptedException {
        stopRequestedAt = System.currentTimeMillis();
        running = false;
        thread.join();
        uploads.close();
    }

    private static final class PartitionsLost extends RuntimeException {
        PartitionsLost() {
            super(null, null, false, false);
        }
    }

    /**
     * Before partitions move, every open batch is recorded and the uploads in flight get a while to
     * finish, so the next owner starts exactly after what this one wrote. A newly assigned partition
     * brings the batches recorded for it: pending ones are rebuilt and uploaded, and the records of
     * all of them are skipped when read again.
     */
    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty() || closing) {
                return;
            }
            batches.rotateAll(CloseReason.REBALANCE);
            transact();
            awaitUploads(System.currentTimeMillis() + REVOKE_UPLOAD_GRACE_MILLIS);
            for (TopicPartition tp : partitions) {
                recorded.forget(tp.partition());
                lastCommitted.remove(tp);
            }
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return;
            }
            // Committed offsets first: they are stable only once the previous owner's last transaction
            // is resolved, and after that the state topic holds everything that transaction recorded.
            consumer.committed(Set.copyOf(partitions));
            List<Integer> numbers =
                    partitions.stream().map(TopicPartition::partition).toList();
            int recovering = 0;
            for (SinkState.Recorded r : state.load(numbers, encoders.inferred())) {
                recorded.add(r.partition(), r.manifest(), true);
                if (r.manifest().isPending()
                        && !inFlight.containsKey(r.manifest().key())) {
                    inFlightSince.put(r.manifest().key(), clock.millis());
                    upload(r.manifest(), null, null);
                    recovering++;
                }
            }
            if (recovering > 0) {
                log.info(
                        "pipeline {}: completing {} recorded {} not confirmed before",
                        pipeline.name(),
                        recovering,
                        recovering == 1 ? "batch" : "batches");
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            if (closing) {
                return;
            }
            // The partitions already belong to someone else: nothing here may be committed any more.
            throw new PartitionsLost();
        }
    }
}

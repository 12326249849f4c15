package dev.sluice.ingest;

import dev.sluice.config.KafkaConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Produces requests all-or-nothing, with Kafka transactions and group commit.
 *
 * <p>A request's records are only readable (by {@code read_committed} consumers: the processor and
 * the sink) once the transaction holding them commits, so a failure part-way through leaves nothing
 * of the request behind. One transaction per request would cap throughput at one commit round trip
 * per request, so each of a few lanes takes every request waiting and commits them together: under
 * load a transaction carries many requests, when idle it carries one. Between the two, a lane keeps its
 * transaction open for {@link #GATHER} to take the requests arriving meanwhile, since a transaction's fixed cost
 * to the broker is far more than a request's. Requests wait in one queue that
 * the first free lane empties, not in a queue per lane: a request never waits behind one lane's slow
 * commit while another lane is idle (that wait was the tail of the ack latency). A request is
 * acknowledged when its transaction commits (which waits for {@code acks=all}) and fails with its
 * whole group when the transaction aborts.
 *
 * <p>Requests with the same affinity (one WebSocket connection) share a lane, so they reach Kafka in
 * the order they were sent.
 *
 * <p>A request of one record is all-or-nothing by itself, so without affinity it skips the
 * transaction: an idempotent {@code acks=all} producer sends it, batched with its neighbours, and it
 * is acknowledged when Kafka acknowledged it. That removes the commit round trip from the most
 * common small request.
 */
public final class RecordSender implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RecordSender.class);
    private static final int MAX_RECORDS_PER_TRANSACTION = 50_000;
    private static final long MAX_BYTES_PER_TRANSACTION = 32L << 20;
    /** How long an idle lane sleeps before it looks again (for the stop flag). */
    private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /**
     * How long a commit that times out is retried (it is idempotent), e.g. while a broker fails over: the
     * producer's transaction timeout, after which the coordinator resolves the transaction itself.
     */
    static final long COMMIT_RETRY_MILLIS = 30_000;
    /**
     * How long a lane keeps a transaction open for requests that arrive after it began, when no other lane is
     * doing so. Each transaction costs the broker and the producer about 0.8 ms of CPU whatever it carries
     * (AddPartitionsToTxn, EndTxn, three transaction-log writes, the markers); at moderate load four lanes
     * committing as soon as they can opened one per one or two requests. Measured with every role on at 60,000
     * records/s (600 requests/s) on the 2-core box: 0 ms → 30.5 µs of CPU per record and a growing backlog;
     * 5 ms → 28.0; 10 ms → 26.4, the backlog flat; 20 ms → 25.8 with a slower p50. Under saturation the queue
     * fills transactions anyway and a gathering lane stops at the deadline, so the maximum is unchanged.
     */
    static final Duration GATHER = Duration.ofMillis(10);

    private final IngestProducers producers;
    private final Lane[] lanes;
    /** Requests without affinity, for whichever lane is free first. */
    private final Queue<Pending> shared = new ConcurrentLinkedQueue<>();
    /** Lanes with nothing to do, parked until a request arrives. */
    private final Queue<Lane> idle = new ConcurrentLinkedQueue<>();
    /**
     * The lane holding its transaction open for more requests, if any: a new request wakes it rather than an
     * idle lane, so at moderate load requests share transactions instead of each opening its own.
     */
    private volatile Lane gathering;

    private final AtomicLong inFlightBytes = new AtomicLong();
    private final long capacityBytes;
    private final long gatherNanos;
    private final Producer<byte[], byte[]> single;
    private volatile boolean running = true;

    /**
     * @param kafka         cluster and client properties
     * @param instanceId    this process's stable id ({@code SLUICE_INSTANCE_ID} or the data directory's); two
     *                      running processes must never share one
     * @param lanes         transactions in flight at once
     * @param capacityBytes bytes of accepted-but-unacknowledged requests beyond which ingest answers 429
     * @param maxRecordSize the largest record a pipeline accepts, so the producer never refuses one
     */
    public RecordSender(KafkaConfig kafka, String instanceId, int lanes, long capacityBytes, long maxRecordSize) {
        this(new KafkaIngestProducers(kafka, instanceId, maxRecordSize), lanes, capacityBytes, GATHER);
    }

    RecordSender(IngestProducers producers, int lanes, long capacityBytes, Duration gather) {
        this.producers = producers;
        this.gatherNanos = gather.toNanos();
        this.capacityBytes = capacityBytes;
        this.single = producers.single();
        this.lanes = new Lane[lanes];
        for (int i = 0; i < lanes; i++) {
            this.lanes[i] = new Lane(i);
        }
        for (Lane lane : this.lanes) {
            lane.thread.start();
        }
    }

    /** True while a lane holds its transaction open for more requests. */
    boolean gathering() {
        return gathering != null;
    }

    /** Bytes of requests sent but not yet acknowledged or failed. */
    public long inFlightBytes() {
        return inFlightBytes.get();
    }

    public long capacityBytes() {
        return capacityBytes;
    }

    /**
     * Queues a request's records; the future completes with their count when Kafka committed them, or
     * fails when their transaction aborted (then none of them is readable).
     *
     * @param affinity requests with the same non-negative affinity are produced in order; -1 for any lane
     */
    public CompletableFuture<Integer> send(List<ProducerRecord<byte[], byte[]>> records, long bytes, int affinity) {
        CompletableFuture<Integer> done = new CompletableFuture<>();
        if (records.isEmpty()) {
            done.complete(0);
            return done;
        }
        if (!running) {
            done.completeExceptionally(stopping());
            return done;
        }
        inFlightBytes.addAndGet(bytes);
        // The stage only releases the bytes; its outcome is done's own, which the caller handles.
        Future<?> unused = done.whenComplete((n, e) -> inFlightBytes.addAndGet(-bytes));
        if (records.size() == 1 && affinity < 0) {
            try {
                // The callback completes done with the outcome of the send.
                Future<?> unusedSend = single.send(records.get(0), (metadata, error) -> {
                    if (error == null) {
                        done.complete(1);
                    } else {
                        done.completeExceptionally(error);
                    }
                });
            } catch (KafkaException | IllegalStateException e) {
                // IllegalStateException: the producer is closed (a send that raced with close)
                done.completeExceptionally(e);
            }
            return done;
        }
        Pending pending = new Pending(records, bytes, done);
        Queue<Pending> queue;
        if (affinity >= 0) {
            Lane lane = lanes[Math.floorMod(affinity, lanes.length)];
            queue = lane.queue;
            queue.add(pending);
            idle.remove(lane); // a wake-up for the shared queue must not pick a lane woken for its own
            LockSupport.unpark(lane.thread);
        } else {
            queue = shared;
            queue.add(pending);
            Lane gatherer = gathering;
            Lane lane = gatherer != null ? gatherer : idle.poll();
            if (lane != null) {
                LockSupport.unpark(lane.thread);
            }
        }
        // A stop that began after the check above may have let every lane finish before this request was queued:
        // whoever takes it out of the queue first (a lane, close, or this) answers it.
        if (!running && queue.remove(pending)) {
            done.completeExceptionally(stopping());
        }
        return done;
    }

    private static IllegalStateException stopping() {
        return new IllegalStateException("ingest is stopping");
    }

    /** Stops taking requests, commits what is queued, and closes the producers. */
    @Override
    public void close() throws InterruptedException {
        running = false;
        for (Lane lane : lanes) {
            LockSupport.unpark(lane.thread);
        }
        try {
            for (Lane lane : lanes) {
                lane.thread.join();
            }
        } finally {
            // Requests queued after their lane's last look: none will commit them now.
            for (Lane lane : lanes) {
                failAll(lane.queue);
            }
            failAll(shared);
            single.close(Duration.ofSeconds(10));
        }
    }

    private static void failAll(Queue<Pending> queue) {
        for (Pending left; (left = queue.poll()) != null; ) {
            left.done.completeExceptionally(stopping());
        }
    }

    /** A commit Kafka did not confirm within {@link #COMMIT_RETRY_MILLIS}: the records may yet be visible. */
    static final class CommitOutcomeUnknown extends KafkaException {
        CommitOutcomeUnknown(TimeoutException cause) {
            super("Kafka did not confirm the commit within " + COMMIT_RETRY_MILLIS + " ms", cause);
        }
    }

    private record Pending(List<ProducerRecord<byte[], byte[]>> records, long bytes, CompletableFuture<Integer> done) {}

    /** The requests one transaction carries, counted against its limits. */
    private static final class Group {
        final List<Pending> requests = new ArrayList<>();
        private long records;
        private long bytes;

        void add(Pending pending) {
            requests.add(pending);
            records += pending.records.size();
            bytes += pending.bytes;
        }

        boolean full() {
            return records >= MAX_RECORDS_PER_TRANSACTION || bytes >= MAX_BYTES_PER_TRANSACTION;
        }

        void fail(Throwable e) {
            requests.forEach(pending -> pending.done.completeExceptionally(e));
        }

        void clear() {
            requests.clear();
            records = 0;
            bytes = 0;
        }
    }

    /** Wakes a parked lane for requests left in the shared queue by a lane that is about to commit. */
    private void handOverLeftovers() {
        Lane parked = shared.isEmpty() ? null : idle.poll();
        if (parked != null) {
            LockSupport.unpark(parked.thread);
        }
    }

    private final class Lane implements Runnable {
        /** Requests with this lane's affinity, in the order they were sent. */
        final Queue<Pending> queue = new ConcurrentLinkedQueue<>();

        final Thread thread;
        private final int id;
        private Producer<byte[], byte[]> producer;

        Lane(int id) {
            this.id = id;
            this.thread = new Thread(this, "sluice-ingest-producer-" + id);
        }

        @Override
        public void run() {
            Group group = new Group();
            try {
                producer(); // initTransactions now, not on the first request
            } catch (KafkaException e) {
                log.warn("ingest lane {}: Kafka not ready yet, will retry on the first request: {}", id, e.toString());
            }
            try {
                while (running || !queue.isEmpty() || !shared.isEmpty()) {
                    Pending first = next();
                    if (first == null) {
                        awaitWork();
                        continue;
                    }
                    group.add(first);
                    fillGroup(group);
                    try {
                        commit(group);
                    } catch (RuntimeException e) {
                        // A lane must outlive anything its producer throws: its queue has no other reader.
                        log.error("ingest lane {}: unexpected failure; recreating the producer", id, e);
                        group.fail(e);
                        closeProducer();
                    }
                    group.clear();
                    // A group that filled up may have left requests behind.
                    handOverLeftovers();
                }
            } finally {
                closeProducer();
            }
        }

        private Pending next() {
            Pending own = queue.poll();
            return own != null ? own : shared.poll();
        }

        /**
         * Parks until {@link #send} wakes this lane. The lane announces itself idle before it checks the
         * queues a last time, so a request added meanwhile either is seen here or unparks it.
         */
        private void awaitWork() {
            idle.add(this);
            if (running && queue.isEmpty() && shared.isEmpty()) {
                LockSupport.parkNanos(IDLE_PARK_NANOS);
            }
            idle.remove(this);
        }

        private void fillGroup(Group group) {
            for (Pending next; !group.full() && (next = next()) != null; ) {
                group.add(next);
            }
        }

        private void commit(Group group) {
            try {
                Producer<byte[], byte[]> p = producer();
                p.beginTransaction();
                for (Pending pending : group.requests) {
                    for (ProducerRecord<byte[], byte[]> record : pending.records) {
                        // Not awaited: commitTransaction below throws when any send of the transaction failed.
                        Future<?> unused = p.send(record);
                    }
                }
                if (gatherNanos > 0 && gathering == null) {
                    gather(p, group);
                }
                // Flushes and waits for acks=all; throws if any record failed, and then nothing of the group is
                // visible.
                commitWithRetries(p);
                for (Pending pending : group.requests) {
                    pending.done.complete(pending.records.size());
                }
            } catch (CommitOutcomeUnknown e) {
                group.fail(e);
                // A new producer with the same transactional id aborts the transaction if it was not yet
                // being committed; if it was, the coordinator completes the commit.
                log.warn("ingest lane {}: {}; recreating the producer", id, e.getMessage());
                closeProducer();
            } catch (KafkaException e) {
                group.fail(e);
                recover(e);
            }
        }

        /**
         * Adds requests that arrive within {@link #gatherNanos} of the transaction's start to it, sending their
         * records at once, unless another lane already gathers. Stops at the deadline even when requests keep
         * coming (under load the next lane takes them), or when the transaction is full.
         */
        private void gather(Producer<byte[], byte[]> p, Group group) {
            long deadline = System.nanoTime() + gatherNanos;
            gathering = this;
            try {
                for (long left = gatherNanos; left > 0 && !group.full(); left = deadline - System.nanoTime()) {
                    Pending next = next();
                    if (next == null) {
                        LockSupport.parkNanos(left); // until the deadline or a new request's wake-up
                        continue;
                    }
                    group.add(next);
                    for (ProducerRecord<byte[], byte[]> record : next.records) {
                        Future<?> unused = p.send(record);
                    }
                }
            } finally {
                gathering = null;
            }
            // A request that woke this lane just as it stopped gathering must not wait for this commit.
            handOverLeftovers();
        }

        /**
         * A commit that times out (no coordinator or leader answered within {@code max.block.ms}) may still
         * complete; Kafka's contract is to call it again, so it is retried for {@link #COMMIT_RETRY_MILLIS}.
         */
        private void commitWithRetries(Producer<byte[], byte[]> p) {
            long deadline = System.currentTimeMillis() + COMMIT_RETRY_MILLIS;
            while (true) {
                try {
                    p.commitTransaction();
                    return;
                } catch (TimeoutException e) {
                    if (System.currentTimeMillis() > deadline) {
                        throw new CommitOutcomeUnknown(e);
                    }
                    log.warn("ingest lane {}: commit not confirmed yet, retrying: {}", id, e.getMessage());
                }
            }
        }

        private Producer<byte[], byte[]> producer() {
            if (producer == null) {
                Producer<byte[], byte[]> created = producers.lane(id);
                try {
                    created.initTransactions();
                } catch (KafkaException e) {
                    created.close(Duration.ZERO);
                    throw e;
                }
                producer = created;
            }
            return producer;
        }

        private void recover(KafkaException e) {
            if (producer == null) {
                log.warn("ingest lane {}: cannot reach Kafka: {}", id, e.toString());
                return;
            }
            boolean fatal = e instanceof ProducerFencedException
                    || e instanceof OutOfOrderSequenceException
                    || e instanceof AuthorizationException
                    || e instanceof AuthenticationException
                    || e instanceof UnsupportedVersionException;
            if (!fatal) {
                try {
                    producer.abortTransaction();
                    log.warn("ingest lane {}: transaction aborted: {}", id, e.toString());
                    return;
                } catch (KafkaException | IllegalStateException abortFailed) {
                    log.warn("ingest lane {}: abort failed: {}", id, abortFailed.toString());
                }
            }
            log.warn("ingest lane {}: recreating the producer after {}", id, e.toString());
            closeProducer();
        }

        private void closeProducer() {
            if (producer != null) {
                try {
                    producer.close(Duration.ofSeconds(5));
                } catch (KafkaException e) {
                    log.debug("closing producer failed", e);
                }
                producer = null;
            }
        }
    }
}

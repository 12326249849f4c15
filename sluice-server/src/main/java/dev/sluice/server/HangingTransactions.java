package dev.sluice.server;

import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.AbortTransactionSpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.ListTransactionsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.internals.Topic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds and aborts hanging transactions on the embedded broker: a transaction still open on a partition that
 * no transaction coordinator will ever complete (KIP-664). Nothing else would end it, and every
 * {@code read_committed} reader of the partition — the sink, the processor, Kafka Streams restoring the
 * workflows' stores — waits behind it forever.
 *
 * <p>Why {@code sluice dev} has this: after a kill -9 of the whole process, its broker included, the restarted
 * broker held such a transaction after most kills (CrashRestartTest, DevKillTest). Some its coordinator had
 * aborted, or never knew: those this ends. Others its coordinator reports committed, yet the partitions show
 * them open (the commit markers are missing after the restart): aborting those would hide committed records,
 * so they are reported and left, and their readers stall (the open defect in the README). It is the check
 * {@code kafka-transactions.sh find-hanging} makes, then {@code abort}; on a cluster Sluice does not own the
 * brokers, and the README points operators at those commands instead.
 *
 * <p>Aborted is only what no coordinator can complete: the partition's open transaction belongs to a producer
 * the coordinators do not list, or list with no live transaction on that partition in an epoch that could
 * still end it; and this has been so, for the same transaction, at every scan for {@link #MIN_AGE} on this
 * process's clock (a coordinator that has not started loading its log after a restart lists nothing for a
 * moment). A transaction its coordinator says it committed is never aborted: that would hide committed
 * records; it is reported instead.
 */
final class HangingTransactions implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HangingTransactions.class);
    /** Scans are cheap on one broker: two offset lists of every partition, more only when one is held back. */
    private static final Duration INTERVAL = Duration.ofSeconds(5);
    /** How long a transaction must look hanging, scan after scan, before it is aborted. */
    static final Duration MIN_AGE = Duration.ofSeconds(10);
    /** Failed scans in a row (one a minute) before the checker says it cannot work. */
    private static final int FAILURES_BEFORE_WARNING = 12;
    /** Coordinator states in which a transaction may still write or complete its markers. */
    private static final Set<TransactionState> LIVE = EnumSet.of(
            TransactionState.ONGOING,
            TransactionState.PREPARE_COMMIT,
            TransactionState.PREPARE_ABORT,
            TransactionState.PREPARE_EPOCH_FENCE);

    /** What the coordinators' view means for a transaction open on a partition. */
    enum Verdict {
        /** A coordinator will end it (or may yet): leave it. */
        LIVE,
        /** No coordinator can end it: abort it once it has looked so for {@link #MIN_AGE}. */
        HANGING,
        /** Its coordinator says committed, yet the partition has no marker: never abort; report it. */
        COMMITTED_BUT_OPEN
    }

    /** One transaction open on one partition. */
    record Open(TopicPartition partition, long producerId, long startOffset) {}

    private final Admin admin;
    private final ScheduledExecutorService scanner = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sluice-hanging-transactions");
        t.setDaemon(true);
        return t;
    });
    /** When each transaction was first seen hanging, by System.nanoTime(); forgotten once it is not. */
    private final Map<Open, Long> suspects = new HashMap<>();

    /** Transactions a coordinator said it committed, at any scan: never aborted, even once it has moved on. */
    private final Set<Open> committed = new HashSet<>();

    private final Set<Open> reported = new HashSet<>();
    private int failures;

    HangingTransactions(Admin admin) {
        this.admin = admin;
    }

    /** Scans the broker at {@code bootstrapServers} every few seconds until closed. */
    static HangingTransactions watch(String bootstrapServers) {
        HangingTransactions watcher = new HangingTransactions(Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                AdminClientConfig.CLIENT_ID_CONFIG,
                "sluice-hanging-transactions")));
        // Its future is not needed: a scan never throws (scanQuietly), and close() stops the executor.
        ScheduledFuture<?> unused = watcher.scanner.scheduleWithFixedDelay(
                watcher::scanQuietly, 0, INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        return watcher;
    }

    private void scanQuietly() {
        try {
            scan(System.nanoTime());
            failures = 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // Starting or stopping, usually; the next scan sees the broker settled.
            if (++failures == FAILURES_BEFORE_WARNING) {
                log.warn("cannot check the embedded broker for hanging transactions", e);
            } else {
                log.debug("hanging transaction scan failed", e);
            }
        }
    }

    /** One pass at {@code nowNanos}: aborts each transaction hanging for {@link #MIN_AGE}; returns how many. */
    int scan(long nowNanos) throws Exception {
        Map<TopicPartition, ProducerState> open = openTransactions(admin);
        Set<Long> producerIds =
                open.values().stream().map(ProducerState::producerId).collect(Collectors.toSet());
        Map<Long, TransactionDescription> coordinators =
                producerIds.isEmpty() ? Map.of() : coordinatorViews(producerIds);
        Set<Open> openNow = new HashSet<>();
        int aborted = 0;
        for (Map.Entry<TopicPartition, ProducerState> e : open.entrySet()) {
            TopicPartition tp = e.getKey();
            ProducerState p = e.getValue();
            TransactionDescription known = coordinators.get(p.producerId());
            Open key = new Open(
                    tp, p.producerId(), p.currentTransactionStartOffset().getAsLong());
            openNow.add(key);
            Verdict verdict = judge(tp, p, known);
            if (verdict == Verdict.LIVE) {
                suspects.remove(key);
                continue;
            }
            // The partition was asked before the coordinator: a transaction ending in between looks like either.
            // Only one that stays so, scan after scan, is acted on.
            long since = suspects.computeIfAbsent(key, k -> nowNanos);
            if (verdict == Verdict.COMMITTED_BUT_OPEN) {
                committed.add(key);
            }
            if (nowNanos - since < MIN_AGE.toNanos()) {
                continue;
            }
            if (committed.contains(key)) {
                if (reported.add(key)) {
                    log.error(
                            "a transaction is open on {} though its coordinator said it committed ({}); not aborting"
                                    + " it, which would hide committed records: read_committed readers of {} wait",
                            tp,
                            known,
                            tp);
                }
                continue;
            }
            abort(tp, p);
            aborted++;
            suspects.remove(key);
            log.warn(
                    "aborted a hanging transaction on {}: producer {} (epoch {}) left it open at offset {}, and its"
                            + " coordinator {}; read_committed readers of {} were held back by it",
                    tp,
                    p.producerId(),
                    p.producerEpoch(),
                    key.startOffset(),
                    known == null ? "has no record of it" : "has moved on (" + known + ")",
                    tp);
        }
        suspects.keySet().retainAll(openNow);
        committed.retainAll(openNow);
        reported.retainAll(openNow);
        return aborted;
    }

    /** What a coordinator's view ({@code known}, null when none lists the producer) means for {@code open}. */
    static Verdict judge(TopicPartition tp, ProducerState open, TransactionDescription known) {
        if (known == null) {
            return Verdict.HANGING;
        }
        boolean sameTransaction = known.producerEpoch() == open.producerEpoch()
                // Version 2 transactions end with the epoch bumped: the markers still end this one.
                || (known.producerEpoch() == open.producerEpoch() + 1 && known.state() != TransactionState.ONGOING);
        if (LIVE.contains(known.state()) && known.topicPartitions().contains(tp) && sameTransaction) {
            return Verdict.LIVE;
        }
        if (known.state() == TransactionState.COMPLETE_COMMIT && sameTransaction) {
            return Verdict.COMMITTED_BUT_OPEN;
        }
        return Verdict.HANGING;
    }

    private void abort(TopicPartition tp, ProducerState p) throws Exception {
        admin.abortTransaction(new AbortTransactionSpec(
                        tp,
                        p.producerId(),
                        (short) p.producerEpoch(),
                        p.coordinatorEpoch().orElse(0)))
                .all()
                .get(30, TimeUnit.SECONDS);
    }

    /**
     * Per partition whose last stable offset is behind its end, the producer holding it back; empty while a
     * partition of the coordinators' log has no leader (their answers would be incomplete).
     */
    static Map<TopicPartition, ProducerState> openTransactions(Admin admin) throws Exception {
        Set<String> topics = admin.listTopics(new ListTopicsOptions().listInternal(true))
                .names()
                .get(30, TimeUnit.SECONDS);
        Map<String, TopicDescription> described =
                admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS);
        TopicDescription coordinatorLog = described.get(Topic.TRANSACTION_STATE_TOPIC_NAME);
        if (coordinatorLog == null
                || coordinatorLog.partitions().stream()
                        .anyMatch(p -> p.leader() == null || p.leader().isEmpty())) {
            return Map.of();
        }
        Map<TopicPartition, OffsetSpec> latest = described.values().stream()
                .flatMap(d -> d.partitions().stream().map(p -> new TopicPartition(d.name(), p.partition())))
                .collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest()));
        Map<TopicPartition, ListOffsetsResultInfo> stable = admin.listOffsets(
                        latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
                .all()
                .get(30, TimeUnit.SECONDS);
        Map<TopicPartition, ListOffsetsResultInfo> end =
                admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS);
        List<TopicPartition> behind = latest.keySet().stream()
                .filter(tp -> stable.get(tp).offset() < end.get(tp).offset())
                .toList();
        if (behind.isEmpty()) {
            return Map.of();
        }
        Map<TopicPartition, ProducerState> open = new HashMap<>();
        admin.describeProducers(behind).all().get(30, TimeUnit.SECONDS).forEach((tp, state) -> {
            Optional<ProducerState> first = state.activeProducers().stream()
                    .filter(p -> p.currentTransactionStartOffset().isPresent())
                    .min((a, b) -> Long.compare(
                            a.currentTransactionStartOffset().getAsLong(),
                            b.currentTransactionStartOffset().getAsLong()));
            first.ifPresent(p -> open.put(tp, p));
        });
        return open;
    }

    /** What the coordinators say of these producers' transactions; a producer they do not list is absent. */
    private Map<Long, TransactionDescription> coordinatorViews(Set<Long> producerIds) throws Exception {
        List<TransactionListing> listed =
                List.copyOf(admin.listTransactions(new ListTransactionsOptions().filterProducerIds(producerIds))
                        .all()
                        .get(30, TimeUnit.SECONDS));
        if (listed.isEmpty()) {
            return Map.of();
        }
        Map<String, TransactionDescription> described = admin.describeTransactions(
                        listed.stream().map(TransactionListing::transactionalId).toList())
                .all()
                .get(30, TimeUnit.SECONDS);
        Map<Long, TransactionDescription> byProducer = new HashMap<>();
        for (TransactionDescription d : described.values()) {
            byProducer.put(d.producerId(), d);
        }
        return byProducer;
    }

    @Override
    public void close() {
        scanner.shutdownNow();
        try {
            scanner.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        admin.close(Duration.ofSeconds(5));
    }
}

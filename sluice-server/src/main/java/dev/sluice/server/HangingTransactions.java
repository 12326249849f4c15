package dev.sluice.server;

import dev.sluice.server.InDoubtTransactions.InDoubt;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
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
import org.apache.kafka.common.requests.TransactionResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds and ends hanging transactions on the embedded broker: a transaction still open on a partition that no
 * transaction coordinator will ever complete (KIP-664). Nothing else would end it, and every
 * {@code read_committed} reader of the partition — the sink, the processor, Kafka Streams restoring the
 * workflows' stores — waits behind it forever.
 *
 * <p>Why {@code sluice dev} has this: after a kill -9 of the whole process, its broker included, the restarted
 * broker's coordinators complete the transactions they had in flight while its partitions are briefly
 * leaderless, and skip their markers (KAFKA-20734, see {@link InDoubtTransactions}): nearly every kill left one
 * open (CrashRestartTest, DevKillTest), some of them committed. Those are ended with the outcome their
 * coordinator had logged before the crash, committed or aborted, before {@link #watch} returns, so no role
 * starts behind one. It is the check {@code kafka-transactions.sh find-hanging} makes, then {@code abort}; on
 * a cluster Sluice does not own the brokers, and the README points operators at those commands instead.
 *
 * <p>Any other open transaction is aborted only when no coordinator can complete it: it belongs to a producer
 * the coordinators do not list, or list with no live transaction on that partition in an epoch that could
 * still end it; and this has been so, for the same transaction, at every scan for {@link #MIN_AGE} on this
 * process's clock (a coordinator that has not started loading its log after a restart lists nothing for a
 * moment). A transaction its coordinator says it committed is never aborted: that would hide committed
 * records; without a logged outcome to write, it is reported instead.
 */
final class HangingTransactions implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HangingTransactions.class);
    /** Scans are cheap on one broker: two offset lists of every partition, more only when one is held back. */
    private static final Duration INTERVAL = Duration.ofSeconds(5);
    /** Scans while transactions left in doubt by the last stop are open: roles wait for them to end. */
    private static final Duration SETTLE_INTERVAL = Duration.ofMillis(250);
    /** How long {@link #watch} waits for the transactions in doubt to end before it lets roles start anyway. */
    private static final Duration SETTLE_TIMEOUT = Duration.ofMinutes(1);
    /** How long a transaction must look hanging, scan after scan, before it is aborted. */
    static final Duration MIN_AGE = Duration.ofSeconds(10);
    /** How long scans may fail in a row (starting, stopping, a leaderless moment) before the checker says so. */
    private static final Duration FAILING_BEFORE_WARNING = Duration.ofMinutes(1);
    /** Coordinator states in which a transaction may still write or complete its markers. */
    private static final Set<TransactionState> ABORTED =
            EnumSet.of(TransactionState.PREPARE_ABORT, TransactionState.COMPLETE_ABORT);

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
        /** Its coordinator says committed, yet the partition has no marker: never abort it. */
        COMMITTED_BUT_OPEN
    }

    /** One transaction open on one partition. */
    record Open(TopicPartition partition, long producerId, long startOffset) {}

    private final Admin admin;
    private final InetSocketAddress broker;
    /**
     * By producer id: what the coordinators had not finished at the last stop, and each one's outcome; emptied
     * once settled, as later transactions may reuse an epoch.
     */
    private volatile Map<Long, InDoubt> inDoubt;
    /** Until when scans run every {@link #SETTLE_INTERVAL} if not settled, by System.nanoTime(). */
    private final long settleDeadline = System.nanoTime() + SETTLE_TIMEOUT.toNanos();
    /** Done at the first scan that finds no transaction in doubt left for this class to end. */
    private final CompletableFuture<Void> settled = new CompletableFuture<>();

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
    /** When the current run of failed scans began, by System.nanoTime(); null after a scan that worked. */
    private Long failingSince;

    private boolean warnedFailing;

    HangingTransactions(Admin admin, InetSocketAddress broker, Map<Long, InDoubt> inDoubt) {
        this.admin = admin;
        this.broker = broker;
        this.inDoubt = Map.copyOf(inDoubt);
    }

    /**
     * Scans the broker at {@code host:port} every few seconds until closed. Returns once no transaction
     * {@code inDoubt} (from {@link InDoubtTransactions#read}) is open unless its coordinator is ending it, or
     * after a minute.
     */
    static HangingTransactions watch(String host, int port, Map<Long, InDoubt> inDoubt) {
        HangingTransactions watcher = new HangingTransactions(
                Admin.create(Map.of(
                        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                        host + ":" + port,
                        AdminClientConfig.CLIENT_ID_CONFIG,
                        "sluice-hanging-transactions")),
                new InetSocketAddress(host, port),
                inDoubt);
        if (inDoubt.isEmpty()) {
            watcher.settled.complete(null);
        }
        // Its future is not needed: a scan never throws (scanQuietly), and close() stops the executor.
        ScheduledFuture<?> unused = watcher.scanner.schedule(watcher::scanAndSchedule, 0, TimeUnit.MILLISECONDS);
        try {
            watcher.settled.get(SETTLE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            log.warn(
                    "transactions the last stop left unfinished still hold partitions open after {}; starting anyway"
                            + " ({} in doubt)",
                    SETTLE_TIMEOUT,
                    inDoubt.size());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            throw new IllegalStateException("unreachable: settled never fails", e);
        }
        return watcher;
    }

    private void scanAndSchedule() {
        scanQuietly();
        Duration next = settled.isDone() || System.nanoTime() > settleDeadline ? INTERVAL : SETTLE_INTERVAL;
        if (!scanner.isShutdown()) {
            // Its future is not needed: a scan never throws (scanQuietly), and close() stops the executor.
            ScheduledFuture<?> unused = scanner.schedule(this::scanAndSchedule, next.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void scanQuietly() {
        long now = System.nanoTime();
        try {
            scan(now);
            failingSince = null;
            warnedFailing = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // Starting or stopping, usually; the next scan sees the broker settled.
            if (failingSince == null) {
                failingSince = now;
            }
            if (!warnedFailing && now - failingSince >= FAILING_BEFORE_WARNING.toNanos()) {
                warnedFailing = true;
                log.warn("cannot check the embedded broker for hanging transactions", e);
            } else {
                log.debug("hanging transaction scan failed", e);
            }
        }
    }

    /**
     * One pass at {@code nowNanos}: ends each transaction left in doubt by the last stop that its coordinator
     * has finished with, and aborts each one hanging for {@link #MIN_AGE}; returns how many it ended.
     */
    int scan(long nowNanos) throws Exception {
        Map<TopicPartition, List<ProducerState>> open = openTransactions(admin);
        Set<Long> producerIds = open.values().stream()
                .flatMap(List::stream)
                .map(ProducerState::producerId)
                .collect(Collectors.toSet());
        Map<Long, TransactionDescription> coordinators =
                producerIds.isEmpty() ? Map.of() : coordinatorViews(producerIds);
        Set<Open> openNow = new HashSet<>();
        int ended = 0;
        int stillInDoubt = 0;
        Map<Long, InDoubt> inDoubt = this.inDoubt;
        for (Map.Entry<TopicPartition, List<ProducerState>> e : open.entrySet()) {
            for (ProducerState p : e.getValue()) {
                TopicPartition tp = e.getKey();
                TransactionDescription known = coordinators.get(p.producerId());
                Open key = new Open(
                        tp, p.producerId(), p.currentTransactionStartOffset().getAsLong());
                openNow.add(key);
                InDoubt doubt = inDoubt.get(p.producerId());
                if (doubt != null && !doubt.holds(tp, p.producerId(), p.producerEpoch())) {
                    doubt = null;
                }
                Verdict verdict = judge(tp, p, known);
                if (verdict == Verdict.LIVE) {
                    // Its coordinator writes these markers itself, and none are skipped any more: the broker accepts
                    // connections only once its controller has registered it anew, which is what makes its partitions
                    // leaderless for a moment, and this scan needed the coordinators' log led again.
                    suspects.remove(key);
                    continue;
                }
                // The partition was asked before the coordinator: a transaction ending in between looks like either.
                // Only one that stays so, scan after scan, is acted on; unless its coordinator lists the producer and
                // its outcome was logged before the crash: then it is done with it, and what to write is known.
                long since = suspects.computeIfAbsent(key, k -> nowNanos);
                if (verdict == Verdict.COMMITTED_BUT_OPEN) {
                    committed.add(key);
                }
                boolean decided = doubt != null && known != null;
                if (!decided && nowNanos - since < MIN_AGE.toNanos()) {
                    stillInDoubt += doubt == null ? 0 : 1;
                    continue;
                }
                TransactionResult outcome = doubt == null ? TransactionResult.ABORT : doubt.outcome();
                if (outcome == TransactionResult.COMMIT && known != null && ABORTED.contains(known.state())) {
                    // Cannot happen by the coordinator's own rules; if it does, its current word wins over the log.
                    if (reported.add(key)) {
                        log.error(
                                "the transaction open on {} was logged preparing to commit, but its coordinator says {};"
                                        + " leaving it open",
                                tp,
                                known);
                    }
                    continue;
                }
                if (outcome == TransactionResult.ABORT && committed.contains(key)) {
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
                try {
                    end(tp, p, outcome);
                } catch (Exception failed) {
                    log.warn("cannot write the {} marker of producer {} on {}", outcome, p.producerId(), tp, failed);
                    stillInDoubt += doubt == null ? 0 : 1;
                    continue;
                }
                ended++;
                suspects.remove(key);
                log.warn(
                        "{} a transaction left open on {}: producer {} (epoch {}) from offset {}; its coordinator {}."
                                + " read_committed readers of {} were held back by it",
                        outcome == TransactionResult.COMMIT ? "committed" : "aborted",
                        tp,
                        p.producerId(),
                        p.producerEpoch(),
                        key.startOffset(),
                        doubt != null
                                ? "had logged " + doubt.outcome() + " before the last stop, and "
                                        + (known == null ? "lists no such producer now" : "now " + known)
                                : known == null ? "has no record of it" : "has moved on (" + known + ")",
                        tp);
            }
        }
        suspects.keySet().retainAll(openNow);
        committed.retainAll(openNow);
        reported.retainAll(openNow);
        if (stillInDoubt == 0 && !inDoubt.isEmpty()) {
            this.inDoubt = Map.of();
            settled.complete(null);
        }
        return ended;
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

    private void end(TopicPartition tp, ProducerState p, TransactionResult outcome) throws Exception {
        TransactionMarkers.write(
                broker,
                tp,
                p.producerId(),
                (short) p.producerEpoch(),
                p.coordinatorEpoch().orElse(0),
                outcome);
    }

    /**
     * Per partition whose last stable offset is behind its end, the producers holding it open. Fails while a
     * partition of the coordinators' log has no leader: their answers would be incomplete.
     */
    static Map<TopicPartition, List<ProducerState>> openTransactions(Admin admin) throws Exception {
        Set<String> topics = admin.listTopics(new ListTopicsOptions().listInternal(true))
                .names()
                .get(30, TimeUnit.SECONDS);
        Map<String, TopicDescription> described =
                admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS);
        TopicDescription coordinatorLog = described.get(Topic.TRANSACTION_STATE_TOPIC_NAME);
        if (coordinatorLog == null
                || coordinatorLog.partitions().stream()
                        .anyMatch(p -> p.leader() == null || p.leader().isEmpty())) {
            throw new IllegalStateException("the transaction coordinators' log is not led yet");
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
        Map<TopicPartition, List<ProducerState>> open = new HashMap<>();
        admin.describeProducers(behind).all().get(30, TimeUnit.SECONDS).forEach((tp, state) -> {
            List<ProducerState> holding = state.activeProducers().stream()
                    .filter(p -> p.currentTransactionStartOffset().isPresent())
                    .toList();
            if (!holding.isEmpty()) {
                open.put(tp, holding);
            }
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
            scanner.awaitTermination(15, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        admin.close(Duration.ofSeconds(5));
    }
}

package dev.sluice.server;

import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds and aborts hanging transactions on the embedded broker: a transaction still open on a partition that
 * its coordinator no longer tracks (KIP-664). Nothing would ever end it, and every {@code read_committed}
 * reader of the partition — the sink, the processor, Kafka Streams restoring the workflows' stores — waits
 * behind it forever.
 *
 * <p>Why {@code sluice dev} needs this: kill -9 of the whole process, its broker included, leaves one now and
 * then (about one run in four in CrashRestartTest): the partitions hold a transaction from before the kill
 * while the restarted coordinator lists none. It is the check {@code kafka-transactions.sh find-hanging}
 * makes, then {@code abort}; on a cluster Sluice does not own the broker, and the README points operators at
 * those commands instead.
 *
 * <p>Safe to abort only what no coordinator can complete: the partition's open transaction belongs to a
 * producer the coordinators do not list, or list in a state or epoch that does not include it; it is older
 * than {@link #MIN_AGE}; and it is still open, from the same offset, after the coordinators were asked (a
 * transaction completing meanwhile has its markers written before its coordinator says so).
 */
final class HangingTransactions implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HangingTransactions.class);
    /** Scans are cheap on one broker: two offset lists of every partition, more only when one is held back. */
    private static final Duration INTERVAL = Duration.ofSeconds(5);
    /** Keeps a transaction whose first write raced the scan out of the question, whatever the coordinators say. */
    static final Duration MIN_AGE = Duration.ofSeconds(10);
    /** Coordinator states in which a transaction may still write or complete its markers. */
    private static final Set<TransactionState> ACTIVE = EnumSet.of(
            TransactionState.ONGOING,
            TransactionState.PREPARE_COMMIT,
            TransactionState.PREPARE_ABORT,
            TransactionState.PREPARE_EPOCH_FENCE);

    private final Admin admin;
    private final ScheduledExecutorService scanner = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sluice-hanging-transactions");
        t.setDaemon(true);
        return t;
    });

    private HangingTransactions(Admin admin) {
        this.admin = admin;
    }

    /** Scans the broker at {@code bootstrapServers} every few seconds until closed. */
    static HangingTransactions watch(String bootstrapServers) {
        HangingTransactions watcher = new HangingTransactions(Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                AdminClientConfig.CLIENT_ID_CONFIG,
                "sluice-hanging-transactions")));
        watcher.scanner.scheduleWithFixedDelay(watcher::scanQuietly, 0, INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        return watcher;
    }

    private void scanQuietly() {
        try {
            scan();
        } catch (Exception e) {
            // The broker is starting or stopping; the next scan sees it settled.
            log.debug("hanging transaction scan failed", e);
        }
    }

    /** One pass: aborts each hanging transaction found; returns how many. */
    int scan() throws Exception {
        Map<TopicPartition, ProducerState> open = openTransactions(admin);
        if (open.isEmpty()) {
            return 0;
        }
        Set<Long> producerIds =
                open.values().stream().map(ProducerState::producerId).collect(Collectors.toSet());
        Map<Long, TransactionDescription> coordinators = coordinatorViews(producerIds);
        Map<TopicPartition, ProducerState> hanging = find(open, coordinators, System.currentTimeMillis());
        if (hanging.isEmpty()) {
            return 0;
        }
        Map<TopicPartition, ProducerState> stillOpen = openProducers(admin, List.copyOf(hanging.keySet()));
        int aborted = 0;
        for (Map.Entry<TopicPartition, ProducerState> h : hanging.entrySet()) {
            ProducerState p = h.getValue();
            ProducerState now = stillOpen.get(h.getKey());
            if (now == null
                    || now.producerId() != p.producerId()
                    || !now.currentTransactionStartOffset().equals(p.currentTransactionStartOffset())) {
                continue;
            }
            admin.abortTransaction(new AbortTransactionSpec(
                            h.getKey(),
                            p.producerId(),
                            (short) p.producerEpoch(),
                            p.coordinatorEpoch().orElse(0)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
            aborted++;
            log.warn(
                    "aborted a hanging transaction on {}: producer {} (epoch {}) left it open at offset {} and its"
                            + " coordinator has no record of it (an unclean stop of the broker); read_committed"
                            + " readers of {} were held back by it",
                    h.getKey(),
                    p.producerId(),
                    p.producerEpoch(),
                    p.currentTransactionStartOffset().getAsLong(),
                    h.getKey());
        }
        return aborted;
    }

    /**
     * The partitions' open transactions no coordinator can complete.
     *
     * @param open         per partition, the producer with a transaction open there
     * @param coordinators per producer id, what its coordinator says (absent: it lists none)
     */
    static Map<TopicPartition, ProducerState> find(
            Map<TopicPartition, ProducerState> open, Map<Long, TransactionDescription> coordinators, long nowMs) {
        Map<TopicPartition, ProducerState> hanging = new HashMap<>();
        open.forEach((tp, p) -> {
            if (nowMs - p.lastTimestamp() < MIN_AGE.toMillis()) {
                return;
            }
            TransactionDescription known = coordinators.get(p.producerId());
            boolean completable = known != null
                    && ACTIVE.contains(known.state())
                    && known.producerEpoch() <= p.producerEpoch() + 1 // abort markers of TV2 carry epoch + 1
                    && known.topicPartitions().contains(tp);
            if (!completable) {
                hanging.put(tp, p);
            }
        });
        return hanging;
    }

    /** Per partition whose last stable offset is behind its end, the producer holding it back. */
    static Map<TopicPartition, ProducerState> openTransactions(Admin admin) throws Exception {
        Set<String> topics = admin.listTopics(new ListTopicsOptions().listInternal(true))
                .names()
                .get(30, TimeUnit.SECONDS);
        Map<String, TopicDescription> described =
                admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS);
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
        return behind.isEmpty() ? Map.of() : openProducers(admin, behind);
    }

    /** Per partition, the producer whose transaction starts earliest there, if any is open. */
    private static Map<TopicPartition, ProducerState> openProducers(Admin admin, List<TopicPartition> partitions)
            throws Exception {
        Map<TopicPartition, ProducerState> open = new HashMap<>();
        admin.describeProducers(partitions).all().get(30, TimeUnit.SECONDS).forEach((tp, state) -> {
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

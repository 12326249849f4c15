package dev.sluice.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.record.internal.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.requests.TransactionResult;
import org.apache.kafka.coordinator.transaction.TransactionLog;
import org.apache.kafka.coordinator.transaction.TransactionMetadata;
import org.apache.kafka.coordinator.transaction.TransactionState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transactions the embedded broker's coordinators had not finished when the broker last stopped without
 * a clean shutdown, read from the coordinators' own log on disk before the broker starts, with the outcome
 * each must have: commit for one already preparing to commit, abort for any other.
 *
 * <p>Why: after such a stop the restarted broker's coordinators complete these transactions while its
 * partitions are briefly leaderless, and Kafka 4.3 then skips their markers as if the partitions had been
 * deleted (KRaftMetadataCache.getPartitionLeaderEndpoint answers "unknown" for a leaderless partition,
 * KAFKA-20734): the coordinator records the transaction complete while a partition still holds it open.
 * {@link HangingTransactions} writes the missing markers with the outcome read here. It reads the log before
 * the broker starts, since once producers start again the coordinators' current state no longer says what a
 * transaction's outcome was.
 */
final class InDoubtTransactions {
    private static final Logger log = LoggerFactory.getLogger(InDoubtTransactions.class);
    /** The file a broker leaves in its log directory when it shuts down cleanly (Kafka's CleanShutdownFileHandler). */
    private static final String CLEAN_SHUTDOWN_FILE = ".kafka_cleanshutdown";
    /** States, as logged, from which a coordinator still has markers to write. */
    private static final Set<TransactionState> UNFINISHED =
            EnumSet.of(TransactionState.ONGOING, TransactionState.PREPARE_COMMIT, TransactionState.PREPARE_ABORT);

    /**
     * A transaction of producer {@code producerId} left unfinished, open on these partitions at one of
     * {@code openEpochs}, that must end with {@code outcome}.
     */
    record InDoubt(
            String transactionalId,
            long producerId,
            Set<Short> openEpochs,
            Set<TopicPartition> partitions,
            TransactionResult outcome) {

        /** Whether this is the transaction {@code producerId} holds open on {@code partition} at {@code epoch}. */
        boolean holds(TopicPartition partition, long producerId, int epoch) {
            return this.producerId == producerId
                    && partitions.contains(partition)
                    && openEpochs.contains((short) epoch);
        }

        /** The transaction as its coordinator last logged it, if that left it unfinished. */
        static Optional<InDoubt> of(TransactionMetadata logged) {
            if (!UNFINISHED.contains(logged.state())) {
                return Optional.empty();
            }
            short epoch = logged.producerEpoch();
            Set<Short> open;
            if (logged.state() == TransactionState.ONGOING) {
                open = Set.of(epoch);
            } else if (logged.clientTransactionVersion().supportsEpochBump()) {
                // Version 2 transactions are prepared at the next epoch.
                open = Set.of((short) (epoch - 1));
            } else {
                // Earlier versions prepare at the same epoch, except an abort that fences the producer: one above.
                open = logged.lastProducerEpoch() >= 0 ? Set.of(epoch, logged.lastProducerEpoch()) : Set.of(epoch);
            }
            TransactionResult outcome = logged.state() == TransactionState.PREPARE_COMMIT
                    ? TransactionResult.COMMIT
                    : TransactionResult.ABORT;
            return Optional.of(new InDoubt(
                    logged.transactionalId(),
                    logged.producerId(),
                    open,
                    Set.copyOf(logged.topicPartitions()),
                    outcome));
        }
    }

    private InDoubtTransactions() {}

    /**
     * By producer id, the transactions left in doubt in the Kafka log directory {@code logDir}; none when the
     * broker last shut down cleanly (its coordinators then finish everything themselves) or never ran.
     */
    static Map<Long, InDoubt> read(Path logDir) {
        if (!Files.isDirectory(logDir) || Files.exists(logDir.resolve(CLEAN_SHUTDOWN_FILE))) {
            return Map.of();
        }
        Map<String, TransactionMetadata> last = new HashMap<>();
        try (Stream<Path> dirs = Files.list(logDir)) {
            for (Path dir : dirs.filter(
                            d -> d.getFileName().toString().startsWith(Topic.TRANSACTION_STATE_TOPIC_NAME + "-"))
                    .toList()) {
                // A transactional id lives in one partition: what a partition says is taken whole or not at all.
                Map<String, TransactionMetadata> partition = new HashMap<>();
                try {
                    for (Path segment : segments(dir)) {
                        readSegment(segment, partition);
                    }
                    last.putAll(partition);
                } catch (IOException | RuntimeException e) {
                    // Then the markers of what it held are not repaired, but the broker still starts.
                    log.warn("cannot read the transaction coordinators' log in {}", dir, e);
                }
            }
        } catch (IOException e) {
            log.warn("cannot read the transaction coordinators' log in {}", logDir, e);
        }
        Map<Long, InDoubt> inDoubt = new HashMap<>();
        for (TransactionMetadata t : last.values()) {
            InDoubt.of(t).ifPresent(d -> inDoubt.put(d.producerId(), d));
        }
        return inDoubt;
    }

    /** The partition's segment files, oldest first (their names are their base offsets, zero-padded). */
    private static List<Path> segments(Path partitionDir) throws IOException {
        try (Stream<Path> files = Files.list(partitionDir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".log"))
                    .sorted()
                    .toList();
        }
    }

    private static void readSegment(Path segment, Map<String, TransactionMetadata> last) throws IOException {
        try (FileRecords records = FileRecords.open(segment.toFile(), false)) {
            for (FileChannelRecordBatch batch : records.batches()) {
                if (!batch.isValid()) {
                    // Where the broker's own recovery stops reading too: nothing after it was acknowledged.
                    return;
                }
                if (batch.isControlBatch()) {
                    continue;
                }
                for (Record r : batch) {
                    if (!r.hasKey()) {
                        continue;
                    }
                    TransactionLog.ReadResult read = TransactionLog.read(r.key(), r.value());
                    if (read instanceof TransactionLog.TxnRecord txn) {
                        last.put(txn.transactionId(), txn.metadata());
                    } else if (read instanceof TransactionLog.TxnTombstone gone) {
                        last.remove(gone.transactionId());
                    }
                }
            }
        }
    }
}

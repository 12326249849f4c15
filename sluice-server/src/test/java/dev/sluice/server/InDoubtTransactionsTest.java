package dev.sluice.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.server.InDoubtTransactions.InDoubt;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.requests.TransactionResult;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.coordinator.transaction.TransactionMetadata;
import org.apache.kafka.coordinator.transaction.TransactionState;
import org.apache.kafka.server.common.TransactionVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The transactions a broker's coordinators had not finished, read from their log on disk: none after a clean
 * shutdown; after any other stop, each with its partitions, the epochs it is open at, and the outcome it must
 * have.
 */
class InDoubtTransactionsTest {
    private static final TopicPartition TP = new TopicPartition("doubt", 0);

    @TempDir
    Path dir;

    private static TransactionMetadata logged(
            TransactionState state, int epoch, int lastEpoch, TransactionVersion version) {
        return new TransactionMetadata(
                "t", 9, -1, -1, (short) epoch, (short) lastEpoch, 5_000, state, Set.of(TP), 0, 0, version);
    }

    @Test
    void aVersion2TransactionPreparedToCommitIsHeldOpenAtTheEpochBeforeAndMustCommit() {
        InDoubt doubt = InDoubt.of(logged(TransactionState.PREPARE_COMMIT, 8, 7, TransactionVersion.TV_2))
                .orElseThrow();
        assertEquals(TransactionResult.COMMIT, doubt.outcome());
        assertTrue(doubt.holds(TP, 9, 7));
        assertFalse(doubt.holds(TP, 9, 8));
        assertFalse(doubt.holds(TP, 9, 6));
        assertFalse(doubt.holds(new TopicPartition("doubt", 1), 9, 7));
        assertFalse(doubt.holds(TP, 10, 7));
    }

    @Test
    void earlierVersionsPrepareAtTheOpenEpochExceptAFencingAbort() {
        InDoubt commit = InDoubt.of(logged(TransactionState.PREPARE_COMMIT, 8, -1, TransactionVersion.TV_0))
                .orElseThrow();
        assertEquals(TransactionResult.COMMIT, commit.outcome());
        assertEquals(Set.of((short) 8), commit.openEpochs());
        InDoubt fenced = InDoubt.of(logged(TransactionState.PREPARE_ABORT, 9, 8, TransactionVersion.TV_1))
                .orElseThrow();
        assertEquals(TransactionResult.ABORT, fenced.outcome());
        assertTrue(fenced.holds(TP, 9, 8));
    }

    @Test
    void anOngoingTransactionMustAbortAndAFinishedOneIsNotInDoubt() {
        InDoubt ongoing = InDoubt.of(logged(TransactionState.ONGOING, 8, -1, TransactionVersion.TV_2))
                .orElseThrow();
        assertEquals(TransactionResult.ABORT, ongoing.outcome());
        assertEquals(Set.of((short) 8), ongoing.openEpochs());
        for (TransactionState done :
                List.of(TransactionState.EMPTY, TransactionState.COMPLETE_COMMIT, TransactionState.COMPLETE_ABORT)) {
            assertEquals(Optional.empty(), InDoubt.of(logged(done, 8, 7, TransactionVersion.TV_2)), done.name());
        }
    }

    @Test
    void anOngoingTransactionIsInDoubtAndMustAbortUnlessTheBrokerShutDownCleanly() throws Exception {
        int[] ports = TestStack.freePorts(2);
        ProducerState open;
        KafkaProducer<String, String> producer;
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir, DevOptions.HOST, ports[0], ports[1]);
                Admin admin =
                        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(TP.topic(), 1, (short) 1)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
            producer = new KafkaProducer<>(
                    Map.of(
                            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                            kafka.bootstrapServers(),
                            ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                            "in-doubt"),
                    new StringSerializer(),
                    new StringSerializer());
            try {
                producer.initTransactions();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>(TP.topic(), "unfinished")).get(30, TimeUnit.SECONDS);
                open = admin.describeProducers(List.of(TP))
                        .partitionResult(TP)
                        .get(10, TimeUnit.SECONDS)
                        .activeProducers()
                        .get(0);
            } catch (Exception e) {
                producer.close(Duration.ZERO);
                throw e;
            }
        }
        producer.close(Duration.ZERO);
        Path logDir = dir.resolve("data");
        assertEquals(Map.of(), InDoubtTransactions.read(logDir), "after a clean shutdown");

        Files.delete(logDir.resolve(".kafka_cleanshutdown"));
        assertEquals(
                Map.of(
                        open.producerId(),
                        new InDoubt(
                                "in-doubt",
                                open.producerId(),
                                Set.of((short) open.producerEpoch()),
                                Set.of(TP),
                                TransactionResult.ABORT)),
                InDoubtTransactions.read(logDir));
    }
}

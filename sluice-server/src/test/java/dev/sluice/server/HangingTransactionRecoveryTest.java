package dev.sluice.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.server.InDoubtTransactions.InDoubt;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.internal.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.requests.TransactionResult;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded broker restarted with a transaction open on a partition that its coordinator has no record of —
 * what a kill -9 of {@code sluice dev} leaves now and then, made here by losing the coordinator's log between
 * two starts: the broker aborts it by itself, and read_committed readers of the partition go on. Without that,
 * nothing ever ends such a transaction. One its coordinator still knows is left to it, however long it is open.
 * One its coordinator committed but whose marker is missing is never aborted, and is committed once its outcome
 * logged before a crash is known (what {@link InDoubtTransactions} reads).
 */
class HangingTransactionRecoveryTest {
    private static final TopicPartition TP = new TopicPartition("held", 0);

    @TempDir
    Path dir;

    @Test
    void aTransactionItsCoordinatorForgotIsAbortedAndReadersGoOn() throws Exception {
        int[] ports = TestStack.freePorts(2);
        KafkaProducer<String, String> leftOpen;
        try (EmbeddedKafka first = EmbeddedKafka.start(dir, DevOptions.HOST, ports[0], ports[1]);
                Admin admin = admin(first)) {
            admin.createTopics(List.of(new NewTopic(TP.topic(), 1, (short) 1)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
            leftOpen = producer(first, "left-open");
            leftOpen.initTransactions();
            leftOpen.beginTransaction();
            leftOpen.send(new ProducerRecord<>(TP.topic(), "never committed")).get(30, TimeUnit.SECONDS);
        }
        leftOpen.close(Duration.ZERO);
        forgetTransactionCoordinatorLog();

        try (EmbeddedKafka again = EmbeddedKafka.start(dir, DevOptions.HOST, ports[0], ports[1]);
                Admin admin = admin(again)) {
            await().atMost(Duration.ofMinutes(1)).until(() -> stableOffset(admin) == endOffset(admin));
            try (KafkaProducer<String, String> producer = producer(again, "after")) {
                producer.initTransactions();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>(TP.topic(), "committed")).get(30, TimeUnit.SECONDS);
                producer.commitTransaction();
            }
            assertEquals(List.of("committed"), readCommitted(again));
        }
    }

    @Test
    void aTransactionItsCoordinatorStillKnowsIsLeftOpenAcrossARestartAndCommits() throws Exception {
        int[] ports = TestStack.freePorts(2);
        KafkaProducer<String, String> producer;
        try (EmbeddedKafka first = EmbeddedKafka.start(dir, DevOptions.HOST, ports[0], ports[1]);
                Admin admin = admin(first)) {
            admin.createTopics(List.of(new NewTopic(TP.topic(), 1, (short) 1)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
            producer = producer(first, "kept-open");
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(TP.topic(), "kept open")).get(30, TimeUnit.SECONDS);
        }
        try (producer;
                EmbeddedKafka again = EmbeddedKafka.start(dir, DevOptions.HOST, ports[0], ports[1]);
                Admin admin = admin(again)) {
            // Long enough for the check to have judged it at several scans: it stays open, as its coordinator says.
            await().during(HangingTransactions.MIN_AGE.multipliedBy(2))
                    .atMost(HangingTransactions.MIN_AGE.multipliedBy(4))
                    .until(() -> stableOffset(admin) < endOffset(admin));
            producer.commitTransaction();
            assertEquals(List.of("kept open"), readCommitted(again));
        }
    }

    @Test
    void aCommittedTransactionWhoseMarkerWasSkippedIsCommittedOnceItsLoggedOutcomeIsKnown() throws Exception {
        int[] ports = TestStack.freePorts(2);
        try (EmbeddedKafka first = EmbeddedKafka.start(dir, DevOptions.HOST, ports[0], ports[1]);
                Admin admin = admin(first)) {
            admin.createTopics(List.of(new NewTopic(TP.topic(), 1, (short) 1)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
            try (KafkaProducer<String, String> producer = producer(first, "committed")) {
                producer.initTransactions();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>(TP.topic(), "committed")).get(30, TimeUnit.SECONDS);
                producer.commitTransaction();
            }
        }
        // What KAFKA-20734 leaves: the coordinator logged the commit complete, the partition lacks its marker.
        dropLastMarker();

        try (EmbeddedKafka again = EmbeddedKafka.start(dir, DevOptions.HOST, ports[0], ports[1]);
                Admin admin = admin(again)) {
            // Without the outcome logged before a crash, the check never aborts what its coordinator committed.
            await().during(HangingTransactions.MIN_AGE.multipliedBy(2))
                    .atMost(HangingTransactions.MIN_AGE.multipliedBy(4))
                    .until(() -> stableOffset(admin) < endOffset(admin));
            ProducerState open = admin.describeProducers(List.of(TP))
                    .partitionResult(TP)
                    .get(10, TimeUnit.SECONDS)
                    .activeProducers()
                    .get(0);
            // What InDoubtTransactions reads from the coordinators' log after a kill in the middle of the commit.
            InDoubt prepared = new InDoubt(
                    "committed",
                    open.producerId(),
                    Set.of((short) open.producerEpoch()),
                    Set.of(TP),
                    TransactionResult.COMMIT);
            try (HangingTransactions repair =
                    HangingTransactions.watch(DevOptions.HOST, ports[0], Map.of(open.producerId(), prepared))) {
                assertEquals(endOffset(admin), stableOffset(admin), "still open once watch returned");
                assertEquals(List.of("committed"), readCommitted(again));
            }
        }
    }

    /**
     * Cuts the commit marker, the last batch, off the partition's log, and what the broker derived from it (its
     * producer snapshots, its clean shutdown mark), so that the restarted broker rebuilds the partition's state
     * from what is left: a transaction open.
     */
    private void dropLastMarker() throws IOException {
        Path partition = dir.resolve("data").resolve(TP.toString());
        Path segment = partition.resolve("00000000000000000000.log");
        int lastBatch = -1;
        boolean control = false;
        try (FileRecords records = FileRecords.open(segment.toFile())) {
            for (FileChannelRecordBatch batch : records.batches()) {
                lastBatch = batch.position();
                control = batch.isControlBatch();
            }
        }
        assertTrue(control, "the partition's last batch is its commit marker");
        try (FileChannel log = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            log.truncate(lastBatch);
        }
        try (Stream<Path> files = Files.list(partition)) {
            for (Path f : files.filter(f -> f.toString().endsWith(".snapshot")).toList()) {
                Files.delete(f);
            }
        }
        Files.delete(dir.resolve("data").resolve(".kafka_cleanshutdown"));
    }

    /** Each partition of the transaction coordinator's log goes; the data partitions keep what they hold. */
    private void forgetTransactionCoordinatorLog() throws IOException {
        try (Stream<Path> logs = Files.list(dir.resolve("data"))) {
            for (Path log : logs.filter(p -> p.getFileName().toString().startsWith("__transaction_state-"))
                    .toList()) {
                try (Stream<Path> files = Files.walk(log)) {
                    for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                        Files.delete(f);
                    }
                }
            }
        }
    }

    private static Admin admin(EmbeddedKafka kafka) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
    }

    private static KafkaProducer<String, String> producer(EmbeddedKafka kafka, String transactionalId) {
        return new KafkaProducer<>(
                Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        kafka.bootstrapServers(),
                        ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                        transactionalId,
                        // Longer than the test: only the broker's own check can end the first one.
                        ProducerConfig.TRANSACTION_TIMEOUT_CONFIG,
                        900_000),
                new StringSerializer(),
                new StringSerializer());
    }

    private static long stableOffset(Admin admin) throws Exception {
        return admin.listOffsets(Map.of(TP, OffsetSpec.latest()), new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
                .partitionResult(TP)
                .get(10, TimeUnit.SECONDS)
                .offset();
    }

    private static long endOffset(Admin admin) throws Exception {
        return admin.listOffsets(Map.of(TP, OffsetSpec.latest()))
                .partitionResult(TP)
                .get(10, TimeUnit.SECONDS)
                .offset();
    }

    private static List<String> readCommitted(EmbeddedKafka kafka) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        kafka.bootstrapServers(),
                        ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                        "read_committed"),
                new StringDeserializer(),
                new StringDeserializer())) {
            consumer.assign(List.of(TP));
            consumer.seekToBeginning(List.of(TP));
            List<String> values = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(r.value());
                }
                return consumer.position(TP) >= consumer.endOffsets(List.of(TP)).get(TP);
            });
            return values;
        }
    }
}

package dev.sluice.sink;

import dev.sluice.wire.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The sink's Kafka, made of Kafka's own mocks for unit tests of its protocol: the output topic is a
 * list the test appends to; every {@link MockProducer} the sink opens is kept, and what they committed
 * is the state topic (and notifications, and the group's committed offsets) as the next consumer sees
 * it. Consumers pull new records of their assigned partitions at each poll, as a real one would.
 */
final class MockKafka implements SinkClients {
    static final int PARTITIONS = 2;

    private final String outputTopic;
    private final String stateTopic;
    private final List<List<ConsumerRecord<byte[], byte[]>>> output = new ArrayList<>();
    final List<MockProducer<byte[], byte[]>> producers = new CopyOnWriteArrayList<>();
    final List<Member> members = new CopyOnWriteArrayList<>();
    /**
     * Thrown, once, by the next commit of a transaction that writes to the state topic; unlike
     * {@link MockProducer#commitTransactionException}, which fails every commit from then on.
     */
    final AtomicReference<KafkaException> failNextCommit = new AtomicReference<>();

    MockKafka(String pipeline) {
        this.outputTopic = Topics.output(pipeline);
        this.stateTopic = Topics.sinkState(pipeline);
        for (int p = 0; p < PARTITIONS; p++) {
            output.add(new CopyOnWriteArrayList<>());
        }
    }

    /** Appends a record to {@code {pipeline}.out} as the processor would commit it. */
    void send(int partition, String json, long timestamp) {
        List<ConsumerRecord<byte[], byte[]>> log = output.get(partition);
        log.add(new ConsumerRecord<>(
                outputTopic,
                partition,
                log.size(),
                timestamp,
                TimestampType.CREATE_TIME,
                -1,
                json.length(),
                null,
                json.getBytes(StandardCharsets.UTF_8),
                new RecordHeaders(),
                Optional.empty()));
    }

    /** The sink's newest group member. */
    Member member() {
        return members.get(members.size() - 1);
    }

    /** The sink's newest producer. */
    MockProducer<byte[], byte[]> producer() {
        return producers.get(producers.size() - 1);
    }

    /** Every record committed to {@code topic}, in order, across the sink's producers. */
    List<ProducerRecord<byte[], byte[]>> committed(String topic) {
        List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>();
        for (MockProducer<byte[], byte[]> producer : producers) {
            producer.history().stream().filter(r -> r.topic().equals(topic)).forEach(out::add);
        }
        return out;
    }

    /** The group's committed offsets: the last committed of each partition, across the producers. */
    Map<TopicPartition, OffsetAndMetadata> committedOffsets() {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (MockProducer<byte[], byte[]> producer : producers) {
            producer.consumerGroupOffsetsHistory()
                    .forEach(byGroup -> byGroup.values().forEach(offsets::putAll));
        }
        return offsets;
    }

    @Override
    public String memberId() {
        return "p-sink-test";
    }

    /** A new member; it is assigned every partition at its first poll, as the group's only member. */
    @Override
    public Consumer<byte[], byte[]> groupMember() {
        Member member = new Member();
        member.commitSync(committedOffsets());
        member.schedulePollTask(() -> member.rebalance(outputPartitions()));
        members.add(member);
        return member;
    }

    @Override
    public Producer<byte[], byte[]> transactionalProducer() {
        MockProducer<byte[], byte[]> producer =
                new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer()) {
                    @Override
                    public void commitTransaction() {
                        // Only a transaction that records something: the sink also commits offsets alone.
                        if (uncommittedRecords().stream()
                                .anyMatch(r -> r.topic().equals(stateTopic))) {
                            KafkaException fault = failNextCommit.getAndSet(null);
                            if (fault != null) {
                                throw fault;
                            }
                        }
                        super.commitTransaction();
                    }
                };
        producers.add(producer);
        return producer;
    }

    @Override
    public Consumer<byte[], byte[]> reader(String purpose) {
        return new Reader();
    }

    private List<TopicPartition> outputPartitions() {
        List<TopicPartition> tps = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            tps.add(new TopicPartition(outputTopic, p));
        }
        return tps;
    }

    /** What a consumer finds in a partition now: the output topic's records, or the state topic's committed ones. */
    private List<ConsumerRecord<byte[], byte[]>> log(TopicPartition tp) {
        if (tp.topic().equals(outputTopic)) {
            return output.get(tp.partition());
        }
        List<ConsumerRecord<byte[], byte[]>> log = new ArrayList<>();
        for (ProducerRecord<byte[], byte[]> r : committed(stateTopic)) {
            if (r.partition() == tp.partition()) {
                log.add(new ConsumerRecord<>(tp.topic(), tp.partition(), log.size(), r.key(), r.value()));
            }
        }
        return log;
    }

    /** A consumer that pulls what its assigned partitions hold at every poll. */
    class Fed extends MockConsumer<byte[], byte[]> {
        private final Map<TopicPartition, Integer> fed = new HashMap<>();

        Fed() {
            super("earliest");
            Map<TopicPartition, Long> zero = new HashMap<>();
            for (int p = 0; p < PARTITIONS; p++) {
                zero.put(new TopicPartition(outputTopic, p), 0L);
                zero.put(new TopicPartition(stateTopic, p), 0L);
            }
            updateBeginningOffsets(zero);
            updateEndOffsets(ends());
        }

        private Map<TopicPartition, Long> ends() {
            Map<TopicPartition, Long> ends = new HashMap<>();
            for (int p = 0; p < PARTITIONS; p++) {
                ends.put(
                        new TopicPartition(outputTopic, p), (long) output.get(p).size());
                ends.put(new TopicPartition(stateTopic, p), (long)
                        log(new TopicPartition(stateTopic, p)).size());
            }
            return ends;
        }

        /** Asks "the broker", as a real consumer does. */
        @Override
        public synchronized Map<TopicPartition, Long> endOffsets(Collection<TopicPartition> partitions) {
            updateEndOffsets(ends());
            return super.endOffsets(partitions);
        }

        @Override
        public synchronized ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
            fed.keySet().retainAll(assignment());
            for (TopicPartition tp : assignment()) {
                List<ConsumerRecord<byte[], byte[]>> log = log(tp);
                for (int i = fed.getOrDefault(tp, 0); i < log.size(); i++) {
                    addRecord(log.get(i));
                }
                fed.put(tp, log.size());
            }
            updateEndOffsets(ends());
            ConsumerRecords<byte[], byte[]> records = super.poll(timeout);
            if (records.isEmpty()) {
                // A real poll blocks up to its timeout when there is nothing; without this the sink thread spins a
                // core.
                LockSupport.parkNanos(Duration.ofMillis(2).toNanos());
            }
            return records;
        }
    }

    /** The sink's group member. */
    final class Member extends Fed {
        /** As a real consumer's close: the partitions it holds are revoked first, through the sink's listener. */
        @Override
        public void close(CloseOptions options) {
            synchronized (this) {
                if (!assignment().isEmpty()) {
                    rebalance(List.of());
                }
            }
            super.close(options);
        }
    }

    /** A state-topic or rebuild reader. */
    final class Reader extends Fed {}
}

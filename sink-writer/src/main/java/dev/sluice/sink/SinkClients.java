package dev.sluice.sink;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;

/**
 * Where a sink gets its Kafka clients, new ones each time it (re)connects: in production {@link
 * KafkaSinkClients}; in unit tests of the sink's protocol, Kafka's {@code MockConsumer} and
 * {@code MockProducer}.
 */
interface SinkClients {
    /** This sink instance's stable id: its transactional id, static group membership and client id. */
    String memberId();

    /** The member of the sink's consumer group: reads {@code {pipeline}.out}, read_committed, no auto-commit. */
    Consumer<byte[], byte[]> groupMember();

    /** The producer of the sink's transactions (state topic, notifications, dead letters, offsets). */
    Producer<byte[], byte[]> transactionalProducer();

    /** A read_committed consumer with no group, for assigned reads: {@code purpose} names it in client ids. */
    Consumer<byte[], byte[]> reader(String purpose);
}

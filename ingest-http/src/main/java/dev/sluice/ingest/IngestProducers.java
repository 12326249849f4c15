package dev.sluice.ingest;

import org.apache.kafka.clients.producer.Producer;

/**
 * Where {@link RecordSender} gets its producers: in production {@link KafkaIngestProducers}; in unit
 * tests of its decisions, Kafka's {@code MockProducer}.
 */
interface IngestProducers {
    /** The idempotent, non-transactional producer of one-record requests. */
    Producer<byte[], byte[]> single();

    /** The transactional producer of lane {@code lane}, not yet initialised. */
    Producer<byte[], byte[]> lane(int lane);
}

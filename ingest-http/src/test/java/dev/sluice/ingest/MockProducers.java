package dev.sluice.ingest;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The ingest's producers as Kafka's MockProducer: the single-record one acknowledges nothing until the
 * test says so ({@link MockProducer#completeNext()}); lane producers acknowledge at once.
 */
final class MockProducers implements IngestProducers {
    final MockProducer<byte[], byte[]> single = mock(false);
    /** Every lane producer the sender asked for, in the order it asked. */
    final List<MockProducer<byte[], byte[]>> lanes = new CopyOnWriteArrayList<>();
    /** The latest producer of each lane. */
    final Map<Integer, MockProducer<byte[], byte[]>> byLane = new ConcurrentHashMap<>();

    private static MockProducer<byte[], byte[]> mock(boolean autoComplete) {
        return new MockProducer<>(autoComplete, null, new ByteArraySerializer(), new ByteArraySerializer());
    }

    @Override
    public Producer<byte[], byte[]> single() {
        return single;
    }

    @Override
    public Producer<byte[], byte[]> lane(int lane) {
        MockProducer<byte[], byte[]> producer = mock(true);
        lanes.add(producer);
        byLane.put(lane, producer);
        return producer;
    }
}

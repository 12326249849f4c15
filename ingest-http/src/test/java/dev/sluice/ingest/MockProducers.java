package dev.sluice.ingest;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The ingest's producers as Kafka's MockProducer: the single-record one acknowledges nothing until the
 * test says so ({@link MockProducer#completeNext()}); lane producers acknowledge at once, except a commit
 * the test asked to hang.
 */
final class MockProducers implements IngestProducers {
    final MockProducer<byte[], byte[]> single = mock(false);
    /** Every lane producer the sender asked for, in the order it asked. */
    final List<MockProducer<byte[], byte[]>> lanes = new CopyOnWriteArrayList<>();
    /** The latest producer of each lane. */
    final Map<Integer, MockProducer<byte[], byte[]>> byLane = new ConcurrentHashMap<>();

    private final AtomicReference<CountDownLatch> hangNextCommit = new AtomicReference<>();
    private volatile boolean commitHanging;

    /** The next commit of any lane waits until {@code release} opens. */
    void hangNextCommitUntil(CountDownLatch release) {
        hangNextCommit.set(release);
    }

    /** True while a commit waits for the latch given to {@link #hangNextCommitUntil}. */
    boolean commitHanging() {
        return commitHanging;
    }

    private static MockProducer<byte[], byte[]> mock(boolean autoComplete) {
        return new MockProducer<>(autoComplete, null, new ByteArraySerializer(), new ByteArraySerializer());
    }

    @Override
    public Producer<byte[], byte[]> single() {
        return single;
    }

    @Override
    public Producer<byte[], byte[]> lane(int lane) {
        MockProducer<byte[], byte[]> producer =
                new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer()) {
                    @Override
                    public void commitTransaction() {
                        CountDownLatch release = hangNextCommit.getAndSet(null);
                        if (release != null) {
                            commitHanging = true;
                            try {
                                release.await();
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                                throw new IllegalStateException(e);
                            } finally {
                                commitHanging = false;
                            }
                        }
                        super.commitTransaction();
                    }
                };
        lanes.add(producer);
        byLane.put(lane, producer);
        return producer;
    }
}

package dev.sluice.ingest;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * RecordSender's decisions with Kafka's MockProducer: a request is one transaction's worth or nothing,
 * one-record requests skip the transaction, a failed transaction fails only its own requests, a fenced
 * lane gets a new producer, a free lane takes requests while another is stuck in a commit, a lane holding
 * its transaction open takes the requests that arrive meanwhile, and affinity keeps order. Against a real broker: IngestTest.
 */
class RecordSenderTest {
    private final MockProducers producers = new MockProducers();
    private final List<MockProducer<byte[], byte[]>> lanes = producers.lanes;
    private final MockProducer<byte[], byte[]> single = producers.single;
    private final CountDownLatch releaseHungCommit = new CountDownLatch(1);
    private RecordSender sender;

    private RecordSender start(int laneCount) {
        return start(laneCount, RecordSender.GATHER);
    }

    private RecordSender start(int laneCount, Duration gather) {
        sender = new RecordSender(producers, laneCount, 1 << 20, gather);
        await().until(() -> lanes.size() == laneCount);
        return sender;
    }

    @AfterEach
    void stop() throws InterruptedException {
        releaseHungCommit.countDown();
        if (sender != null) {
            sender.close();
        }
    }

    private static List<ProducerRecord<byte[], byte[]>> records(String... values) {
        List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>();
        for (String v : values) {
            out.add(new ProducerRecord<>("events", v.getBytes(StandardCharsets.UTF_8)));
        }
        return out;
    }

    private static List<String> values(List<ProducerRecord<byte[], byte[]>> records) {
        return records.stream()
                .map(r -> new String(r.value(), StandardCharsets.UTF_8))
                .toList();
    }

    @Test
    void aRequestOfSeveralRecordsIsAcknowledgedWhenItsTransactionCommits() throws Exception {
        start(1);

        CompletableFuture<Integer> done = sender.send(records("a", "b", "c"), 3, -1);

        assertEquals(3, done.get());
        MockProducer<byte[], byte[]> lane = lanes.get(0);
        assertTrue(lane.transactionInitialized());
        assertTrue(lane.transactionCommitted());
        assertEquals(List.of("a", "b", "c"), values(lane.history()));
        assertEquals(List.of(), single.history());
    }

    @Test
    void aRequestOfOneRecordSkipsTheTransactionAndWaitsForKafkasAck() throws Exception {
        start(1);

        CompletableFuture<Integer> done = sender.send(records("a"), 100, -1);

        assertFalse(done.isDone());
        assertEquals(100, sender.inFlightBytes());
        assertTrue(single.completeNext());
        assertEquals(1, done.get());
        assertEquals(0, sender.inFlightBytes());
        assertEquals(List.of("a"), values(single.history()));
        assertEquals(0, lanes.get(0).commitCount());
    }

    @Test
    void aOneRecordRequestThatKafkaRefusesFails() {
        start(1);
        KafkaException refused = new KafkaException("test fault: not enough replicas");

        CompletableFuture<Integer> done = sender.send(records("a"), 1, -1);
        assertTrue(single.errorNext(refused));

        ExecutionException e = assertThrows(ExecutionException.class, done::get);
        assertSame(refused, e.getCause());
        assertEquals(0, sender.inFlightBytes());
    }

    @Test
    void aTransactionThatDoesNotCommitFailsItsRequestsAndTheLaneGoesOn() throws Exception {
        start(1);
        MockProducer<byte[], byte[]> lane = lanes.get(0);
        lane.commitTransactionException = new KafkaException("test fault: the transaction does not commit");

        CompletableFuture<Integer> failed = sender.send(records("a", "b"), 2, -1);
        ExecutionException e = assertThrows(ExecutionException.class, failed::get);
        assertInstanceOf(KafkaException.class, e.getCause());
        await().until(lane::transactionAborted); // the request fails first, then the lane aborts
        assertEquals(List.of(), lane.history(), "nothing of the failed request is readable");

        lane.commitTransactionException = null;
        assertEquals(2, sender.send(records("c", "d"), 2, -1).get());
        assertEquals(List.of("c", "d"), values(lane.history()));
        assertEquals(1, lanes.size(), "an aborted transaction keeps its producer");
    }

    @Test
    void aCommitThatTimesOutIsRetriedAndTheRequestSucceeds() throws Exception {
        start(1);
        MockProducer<byte[], byte[]> lane = lanes.get(0);
        lane.commitTransactionException = new TimeoutException("test fault: no coordinator answered");
        CompletableFuture<Integer> done = sender.send(records("a", "b"), 2, -1);
        await().until(() -> lane.transactionInFlight() && !done.isDone()); // it keeps retrying the commit

        lane.commitTransactionException = null; // the coordinator is back
        assertEquals(2, done.get());
        assertEquals(List.of("a", "b"), values(lane.history()));
        assertEquals(1, lanes.size());
    }

    @Test
    void aLaneSurvivesAnAbortTheProducerRefuses() throws Exception {
        start(1);
        MockProducer<byte[], byte[]> lane = lanes.get(0);
        lane.commitTransactionException = new KafkaException("test fault: the transaction does not commit");
        lane.abortTransactionException = new IllegalStateException("test fault: cannot abort now");

        CompletableFuture<Integer> failed = sender.send(records("a", "b"), 2, -1);
        assertThrows(ExecutionException.class, failed::get);

        // Before, the lane's thread died here and this request waited forever.
        assertEquals(2, sender.send(records("c", "d"), 2, -1).get(30, TimeUnit.SECONDS));
        assertEquals(2, lanes.size(), "the lane recreated its producer");
        assertEquals(List.of("c", "d"), values(lanes.get(1).history()));
    }

    @Test
    void aFencedLaneGetsANewProducer() throws Exception {
        start(1);
        lanes.get(0).fenceProducer();

        CompletableFuture<Integer> failed = sender.send(records("a", "b"), 2, -1);
        assertInstanceOf(
                ProducerFencedException.class,
                assertThrows(ExecutionException.class, failed::get).getCause());

        assertEquals(2, sender.send(records("c", "d"), 2, -1).get());
        assertEquals(2, lanes.size());
        assertTrue(lanes.get(0).closed());
        assertEquals(List.of("c", "d"), values(lanes.get(1).history()));
    }

    @Test
    void aRequestDoesNotWaitBehindABusyLaneWhileAnotherIsFree() throws Exception {
        producers.hangNextCommitUntil(releaseHungCommit);
        start(2);
        CompletableFuture<Integer> stuck = sender.send(records("a", "b"), 2, -1);
        await().until(producers::commitHanging);

        // With a queue per lane (dealt round robin), every second request waited for the hung commit.
        for (int i = 0; i < 4; i++) {
            assertEquals(2, sender.send(records("c" + i, "d" + i), 2, -1).get(10, TimeUnit.SECONDS));
        }
        assertFalse(stuck.isDone());

        releaseHungCommit.countDown();
        assertEquals(2, stuck.get(10, TimeUnit.SECONDS));
    }

    @Test
    void requestsArrivingWhileALaneGathersShareItsTransactionAndWakeNoOtherLane() throws Exception {
        // A window long enough that the request below arrives within it however slow the machine.
        start(2, Duration.ofSeconds(2));
        CompletableFuture<Integer> first = sender.send(records("a", "b"), 2, -1);
        await().until(sender::gathering);

        CompletableFuture<Integer> second = sender.send(records("c", "d"), 2, -1);

        assertEquals(2, first.get(10, TimeUnit.SECONDS));
        assertEquals(2, second.get(10, TimeUnit.SECONDS));
        MockProducer<byte[], byte[]> used = lanes.get(0).commitCount() > 0 ? lanes.get(0) : lanes.get(1);
        MockProducer<byte[], byte[]> other = used == lanes.get(0) ? lanes.get(1) : lanes.get(0);
        assertEquals(1, used.commitCount());
        assertEquals(List.of("a", "b", "c", "d"), values(used.history()));
        assertEquals(0, other.commitCount());
        assertFalse(sender.gathering());
    }

    @Test
    void requestsWithTheSameAffinityShareALaneInOrder() throws Exception {
        start(3);

        List<CompletableFuture<Integer>> done = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            done.add(sender.send(records("r" + i), 1, 7)); // one record, but affinity: the lane, in order
        }
        for (CompletableFuture<Integer> d : done) {
            assertEquals(1, d.get());
        }

        MockProducer<byte[], byte[]> lane = producers.byLane.get(Math.floorMod(7, 3));
        assertEquals(List.of("r0", "r1", "r2", "r3", "r4"), values(lane.history()));
        assertEquals(List.of(), single.history());
    }

    @Test
    void aClosingSenderCommitsWhatIsQueuedAndRefusesNewRequests() throws Exception {
        start(1);
        CompletableFuture<Integer> queued = sender.send(records("a", "b"), 2, -1);

        sender.close();

        assertEquals(2, queued.get());
        ExecutionException e = assertThrows(
                ExecutionException.class,
                () -> sender.send(records("c", "d"), 2, -1).get());
        assertInstanceOf(IllegalStateException.class, e.getCause());
        sender = null;
    }
}

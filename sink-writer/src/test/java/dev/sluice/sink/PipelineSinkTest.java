package dev.sluice.sink;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.config.ConfigLoader;
import dev.sluice.config.PipelineConfig;
import dev.sluice.wire.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPInputStream;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sink's protocol decisions, with Kafka's MockConsumer/MockProducer ({@link MockKafka}), a store in
 * memory and a clock the test moves: record before upload, confirm after, offsets held back to open
 * batches, start over after a failed transaction, recover a recorded batch, pause reads while uploads
 * lag. The same guarantees against a real broker and S3Proxy, with kill -9: SinkChaosTest and friends.
 */
class PipelineSinkTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");
    private static final String STATE = Topics.sinkState("p");
    private static final TopicPartition P0 = new TopicPartition(Topics.output("p"), 0);

    @TempDir
    Path dir;

    private final MockKafka kafka = new MockKafka("p");
    private final MemoryStore store = new MemoryStore();
    private final ManualClock clock = new ManualClock(T0);
    private final List<WrittenObject> written = new CopyOnWriteArrayList<>();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private PipelineSink sink;

    private void start(String sinkYaml) {
        PipelineConfig pipeline = new ConfigLoader(Map.of())
                .parse("pipelines: [{name: p, sink: " + sinkYaml + "}]")
                .pipelines()
                .get(0);
        sink = new PipelineSink(pipeline, kafka, store, "acct", dir, clock, registry, written::add);
        sink.start();
        await().until(() ->
                !kafka.members.isEmpty() && !kafka.member().assignment().isEmpty());
    }

    @AfterEach
    void stop() throws InterruptedException {
        store.down = false;
        if (sink != null) {
            sink.close();
        }
    }

    private void send(int partition, int... ids) {
        for (int id : ids) {
            kafka.send(partition, "{\"id\":" + id + "}", clock.millis());
        }
    }

    @Test
    void recordsABatchBeforeUploadingItAndConfirmsItAfter() throws IOException {
        List<List<ProducerRecord<byte[], byte[]>>> stateAtPut = new CopyOnWriteArrayList<>();
        List<List<ProducerRecord<byte[], byte[]>>> notificationsAtPut = new CopyOnWriteArrayList<>();
        store.beforePut = key -> {
            stateAtPut.add(kafka.committed(STATE));
            notificationsAtPut.add(kafka.committed(Topics.NOTIFICATIONS));
        };
        start("{bucket: lake, batch: {maxRecords: 3, maxDuration: 60s}}");

        send(0, 1, 2, 3);

        await().until(() -> written.size() == 1);
        WrittenObject object = written.get(0);
        assertEquals(CloseReason.RECORDS, object.reason());
        assertEquals(List.of(1, 2, 3), ids(store.objects.get(object.key())));
        // At the PUT, the manifest was committed, pending, and nothing was announced yet.
        List<BatchManifest> recordedBeforePut = manifests(stateAtPut.get(0));
        assertEquals(1, recordedBeforePut.size());
        assertEquals(object.key(), recordedBeforePut.get(0).key());
        assertTrue(recordedBeforePut.get(0).isPending());
        assertEquals(List.of(), notificationsAtPut.get(0));
        // After it, the manifest is confirmed and the object announced once.
        await().until(() -> kafka.committed(Topics.NOTIFICATIONS).size() == 1);
        List<BatchManifest> recorded = manifests(kafka.committed(STATE));
        assertFalse(recorded.get(recorded.size() - 1).isPending());
        JsonNode notification =
                JSON.readTree(kafka.committed(Topics.NOTIFICATIONS).get(0).value());
        assertEquals(object.key(), notification.path("object").path("key").asText());
        assertEquals("records", notification.path("closedBy").asText());
        assertEquals(T0.toString(), notification.path("eventTime").asText());
        assertFalse(notification.path("recovered").asBoolean());
        assertEquals(3L, kafka.committedOffsets().get(P0).offset());
        assertEquals(1.0, meter("sluice.sink.objects"));
        assertEquals(3.0, meter("sluice.sink.records"));
        assertEquals((double) store.objects.get(object.key()).length, meter("sluice.sink.bytes"));
    }

    @Test
    void committedOffsetsNeverPassTheFirstRecordOfAnOpenBatch() throws IOException {
        start("{bucket: lake, batch: {maxRecords: 3, maxDuration: 60s}}");

        send(0, 1, 2, 3, 4);
        await().until(() -> written.size() == 1);
        await().until(() -> kafka.committed(Topics.NOTIFICATIONS).size() == 1);
        assertEquals(3L, kafka.committedOffsets().get(P0).offset(), "record 4 (offset 3) is in an open batch");

        // Freshness: the open batch's record has waited as long as the sink's clock says.
        clock.advance(Duration.ofSeconds(30));
        await().until(() -> meter("sluice.sink.freshness") == 30.0);
        assertEquals(1.0, meter("sluice.sink.open.batches"));

        // Only the sink's clock closes the batch by age: no real minute passes.
        clock.advance(Duration.ofSeconds(30));
        await().until(() -> written.size() == 2);
        assertEquals(CloseReason.DURATION, written.get(1).reason());
        assertEquals(List.of(4), ids(store.objects.get(written.get(1).key())));
        assertEquals(4L, kafka.committedOffsets().get(P0).offset());
        await().until(() -> meter("sluice.sink.freshness") == 0.0 && meter("sluice.sink.open.batches") == 0.0);
    }

    @Test
    void aFailedTransactionDropsWhatItHeldAndStartsOverFromKafka() throws IOException {
        start("{bucket: lake, batch: {maxRecords: 3, maxDuration: 60s}}");
        MockProducer<byte[], byte[]> first = kafka.producer();
        first.commitTransactionException = new KafkaException("test fault: the transaction does not commit");

        send(0, 1, 2, 3);
        await().until(() -> sink.problem() != null); // what /healthz reports while it starts over
        assertTrue(sink.problem().contains("test fault: the transaction does not commit"), sink.problem());

        await().until(() -> kafka.producers.size() == 2 && written.size() == 1);
        assertNull(sink.problem());
        assertTrue(first.transactionAborted());
        assertTrue(kafka.members.get(0).closed());
        assertEquals(1, store.objects.size(), "the batch of the aborted transaction was never uploaded");
        assertEquals(List.of(1, 2, 3), ids(store.objects.get(written.get(0).key())));
    }

    /**
     * A transaction fails but its abort succeeds, and the same producer works again: closing the consumer to start
     * over revokes its partitions, and nothing may be committed then, least of all the consumer's position, which has
     * passed the records of the failed batch (seen on a cluster whose coordinators were down for a minute: the batch's
     * records were in no object, ever).
     */
    @Test
    void startingOverAfterAFailedTransactionCommitsNothingOnTheWayOut() throws IOException {
        start("{bucket: lake, batch: {maxRecords: 3, maxDuration: 60s}}");
        kafka.failNextCommit.set(new KafkaException("test fault: the transaction does not commit"));

        send(0, 1, 2, 3);

        await().until(() -> written.size() == 1);
        assertNull(kafka.failNextCommit.get(), "the fault was injected");
        assertEquals(List.of(1, 2, 3), ids(store.objects.get(written.get(0).key())));
        // The first life recorded no batch, so none of its commits may have passed offset 0 of the partition.
        MockProducer<byte[], byte[]> first = kafka.producers.get(0);
        first.consumerGroupOffsetsHistory()
                .forEach(commit -> commit.values()
                        .forEach(offsets -> assertEquals(
                                0, offsets.get(P0).offset(), "committed past records it never recorded: " + commit)));
    }

    @Test
    void theNextLifeCompletesABatchRecordedButNotConfirmed() throws IOException {
        store.down = true;
        start("{bucket: lake, batch: {maxRecords: 3, maxDuration: 60s}}");
        send(0, 1, 2, 3);
        await().until(() -> store.calls.stream().anyMatch(c -> c.startsWith("put ")));
        String key = manifests(kafka.committed(STATE)).get(0).key();

        // This life ends before it confirms: its next transaction fails as a fenced producer's does.
        kafka.producer().fenceProducer();
        store.down = false;

        await().until(() -> written.size() == 1);
        assertEquals(key, written.get(0).key());
        assertEquals(1, store.objects.size());
        assertEquals(List.of(1, 2, 3), ids(store.objects.get(key)));
        List<ProducerRecord<byte[], byte[]>> notifications = kafka.committed(Topics.NOTIFICATIONS);
        assertEquals(1, notifications.size());
        assertTrue(JSON.readTree(notifications.get(0).value()).path("recovered").asBoolean());
        assertTrue(kafka.producers.size() >= 2);
    }

    @Test
    void readingPausesWhileUploadsLagAndResumesWhenTheyCatchUp() {
        store.down = true;
        start("{bucket: lake, batch: {maxRecords: 1, maxDuration: 60s}, maxConcurrentUploads: 1}");

        send(0, 1, 2, 3);
        await().until(() -> !kafka.member().paused().isEmpty());
        assertEquals(0, store.objects.size());
        await().until(() -> meter("sluice.sink.uploads.waiting") >= 2 && meter("sluice.sink.upload.retries") >= 1);

        store.down = false;
        await().until(() -> written.size() == 3 && kafka.member().paused().isEmpty());
        send(0, 4);
        await().until(() -> written.size() == 4);
    }

    @Test
    void aGracefulStopReadsToTheEndAndWritesTheOpenBatch() throws Exception {
        start("{bucket: lake, batch: {maxRecords: 100, maxDuration: 60s}}");
        send(0, 1);
        await().until(() -> kafka.member().position(P0) == 1);
        send(1, 2); // committed upstream just before the stop: this stop writes it too

        sink.close();
        sink = null;

        assertEquals(1, written.size(), "both records fall in one hour folder: one batch");
        assertEquals(CloseReason.SHUTDOWN, written.get(0).reason());
        assertEquals(
                List.of(1, 2),
                ids(store.objects.get(written.get(0).key())).stream().sorted().toList());
        assertEquals(2L, kafka.committedOffsets().size());
        assertTrue(kafka.members.get(0).closed());
    }

    /** A meter's value: a counter's count or a gauge's value. */
    private double meter(String name) {
        var meter = registry.get(name).meter();
        return meter.measure().iterator().next().getValue();
    }

    private static List<BatchManifest> manifests(List<ProducerRecord<byte[], byte[]>> state) {
        return state.stream()
                .filter(r -> r.value() != null && !new String(r.key(), StandardCharsets.UTF_8).startsWith("__"))
                .map(r -> BatchManifest.fromJson(r.value()))
                .toList();
    }

    private static List<Integer> ids(byte[] gzippedNdjson) {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzippedNdjson))) {
            List<Integer> ids = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .lines()
                    .toList()) {
                ids.add(JSON.readTree(line).path("id").asInt());
            }
            return ids;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

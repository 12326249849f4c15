package dev.sluice.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.config.SchemaConfig;
import dev.sluice.config.SinkConfig;
import dev.sluice.wire.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The state topic's writes (one transaction with the offsets) and what a new owner loads from it. */
class SinkStateTest {
    /** As the sink passes it: the group member's own metadata. */
    private static final ConsumerGroupMetadata GROUP = new MockConsumer<byte[], byte[]>("earliest").groupMetadata();

    private static final TopicPartition OUT0 = new TopicPartition(Topics.output("p"), 0);

    @TempDir
    Path dir;

    private final MockKafka kafka = new MockKafka("p");
    private final SinkConfig sink =
            new SinkConfig("lake", "p", null, null, null, null, null, null, null, null, null, null, null, null, null);

    /** A pending manifest of a batch holding one record at {@code offset} of each given source partition. */
    private BatchManifest manifest(String key, long offset, int... sourcePartitions) {
        Batch batch = new Batch("year=2026", 0, dir.resolve(key + ".ndjson"));
        for (int p : sourcePartitions) {
            batch.add(p, offset, "{}".getBytes(StandardCharsets.UTF_8), 0);
        }
        assertNull(batch.seal()); // no gzip while filling: the object is encoded at upload
        return BatchManifest.pending(key, "lake", batch, sink, new ObjectKeyLayout(sink).spec(), CloseReason.RECORDS);
    }

    @Test
    void recordsAndOffsetsCommitInOneTransaction() {
        SinkState state = new SinkState("p", kafka);
        List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>();
        state.addManifest(out, manifest("a", 4, 0, 1));

        state.commit(out, Map.of(OUT0, new OffsetAndMetadata(5)), GROUP);

        MockProducer<byte[], byte[]> producer = kafka.producer();
        assertTrue(producer.transactionInitialized());
        assertEquals(1, producer.commitCount());
        assertEquals(
                List.of(0, 1),
                producer.history().stream()
                        .map(ProducerRecord::partition)
                        .sorted()
                        .toList());
        assertEquals(
                List.of(Map.of(GROUP.groupId(), Map.of(OUT0, new OffsetAndMetadata(5)))),
                producer.consumerGroupOffsetsHistory());
    }

    @Test
    void aTransactionThatFailsIsAbortedAndLeavesNothing() {
        SinkState state = new SinkState("p", kafka);
        MockProducer<byte[], byte[]> producer = kafka.producer();
        KafkaException fault = new KafkaException("test fault");
        producer.commitTransactionException = fault;
        List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>();
        state.addManifest(out, manifest("a", 4, 0));

        assertSame(fault, assertThrows(KafkaException.class, () -> state.commit(out, Map.of(), GROUP)));

        assertTrue(producer.transactionAborted());
        assertEquals(List.of(), producer.history());
    }

    @Test
    void aFencedSinkCommitsNothing() {
        SinkState state = new SinkState("p", kafka);
        kafka.producer().fenceProducer();
        List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>();
        state.addManifest(out, manifest("a", 4, 0));

        assertThrows(
                ProducerFencedException.class, () -> state.commit(out, Map.of(OUT0, new OffsetAndMetadata(5)), GROUP));

        assertEquals(List.of(), kafka.producer().history());
        assertEquals(List.of(), kafka.producer().consumerGroupOffsetsHistory());
    }

    @Test
    void aNewOwnerLoadsTheLatestManifestOfEachOfItsPartitionsAndTheSchema() {
        SinkState first = new SinkState("p", kafka);
        BatchManifest a = manifest("a", 4, 0, 1);
        BatchManifest b = manifest("b", 9, 0);
        List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>();
        first.addManifest(out, a);
        first.addManifest(out, b);
        InferredSchema schema = new InferredSchema();
        schema.extend(Map.of("id", SchemaConfig.Type.INT64));
        first.addSchema(out, List.of(0), schema.toJson());
        first.commit(out, Map.of(), GROUP);
        out.clear();
        first.addManifest(out, b.written(100, "\"e\"", 0));
        first.addTombstone(out, 0, "a"); // the offsets of partition 0 passed a; partition 1 still needs it
        first.commit(out, Map.of(), GROUP);
        first.close();

        SinkState next = new SinkState("p", kafka);
        InferredSchema loaded = new InferredSchema();
        List<SinkState.Recorded> recorded = next.load(List.of(0, 1), loaded);

        assertEquals(2, recorded.size());
        SinkState.Recorded inZero =
                recorded.stream().filter(r -> r.partition() == 0).findFirst().orElseThrow();
        assertEquals("b", inZero.manifest().key());
        assertFalse(inZero.manifest().isPending());
        SinkState.Recorded inOne =
                recorded.stream().filter(r -> r.partition() == 1).findFirst().orElseThrow();
        assertEquals("a", inOne.manifest().key());
        assertTrue(inOne.manifest().isPending());
        assertEquals(schema.columns(), loaded.columns());
        assertEquals(List.of(), next.load(List.of(), loaded));
        assertEquals(
                List.of("a"),
                next.load(List.of(1), new InferredSchema()).stream()
                        .map(r -> r.manifest().key())
                        .toList());
    }
}

package dev.sluice.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.config.ConfigLoader;
import dev.sluice.config.PipelineConfig;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Where a 429 is decided: the backlog in records, in (estimated) bytes, and the producer's buffer. End
 * to end, with a stalled store and a real broker: the server module's BackpressureTest.
 */
class BackpressureTest {
    private final PipelineConfig pipeline = new ConfigLoader(Map.of())
            .parse("pipelines: [{name: events, backpressure: {maxBacklogRecords: 1000, maxBacklogBytes: 100KB}}]")
            .pipelines()
            .get(0);
    private final AtomicLong backlog = new AtomicLong();
    /** The single-record producer acknowledges nothing until told, so requests stay in flight. */
    private final MockProducers producers = new MockProducers();

    private final MockProducer<byte[], byte[]> single = producers.single;
    private final RecordSender sender = new RecordSender(producers, 1, 1_000, RecordSender.GATHER);
    private final Backpressure backpressure = new Backpressure(p -> backlog.get(), sender);

    @AfterEach
    void stop() throws InterruptedException {
        while (single.completeNext()) {
            // acknowledge what the test left in flight, so the sender closes at once
        }
        sender.close();
    }

    private IngestError refused(int records, long bytes) {
        return assertThrows(IngestError.class, () -> backpressure.admit(pipeline, records, bytes));
    }

    @Test
    void aBacklogOfRecordsPastTheLimitIsRefusedWithRetryAfter() {
        backlog.set(1000);
        backpressure.admit(pipeline, 1, 10);

        backlog.set(1001);
        IngestError e = refused(1, 10);

        assertEquals(ErrorCode.BACKPRESSURE, e.code());
        assertEquals(429, e.status());
        assertEquals(Backpressure.BACKLOG_RETRY_AFTER_SECONDS, e.retryAfterSeconds);
        assertTrue(e.getMessage().contains("pipeline events is busy: 1001 records are waiting"), e.getMessage());
    }

    @Test
    void aBacklogOfBytesPastTheLimitIsRefusedByTheAverageRecordSize() {
        backlog.set(200);
        backpressure.admit(pipeline, 10, 1_000); // 100 B a record: 20 KB waiting

        // This request moves the running average to 550 B a record: 110 KB waiting, past 100 KB.
        IngestError e = refused(1, 4_600);

        assertEquals(ErrorCode.BACKPRESSURE, e.code());
        assertTrue(e.getMessage().contains("bytes are waiting to be written (limit 102400)"), e.getMessage());
    }

    @Test
    void anUnknownBacklogAdmits() {
        backlog.set(-1);

        backpressure.admit(pipeline, 1, 10);

        assertEquals(0, backpressure.backlogRecords("events"));
    }

    @Test
    void aFullProducerBufferIsRefusedButAnEmptyOneTakesAnyRequest() {
        backpressure.admit(pipeline, 1, 5_000); // larger than the whole buffer, but nothing is waiting

        CompletableFuture<Integer> waiting = sender.send(List.of(record()), 900, -1);
        backpressure.admit(pipeline, 1, 100);
        IngestError e = refused(1, 101);

        assertEquals(Backpressure.CAPACITY_RETRY_AFTER_SECONDS, e.retryAfterSeconds);
        assertTrue(e.getMessage().contains("producer buffer is full (900 bytes"), e.getMessage());
        single.completeNext();
        assertEquals(1, waiting.join());
        backpressure.admit(pipeline, 1, 101);
    }

    private static ProducerRecord<byte[], byte[]> record() {
        return new ProducerRecord<>("events", "{}".getBytes(StandardCharsets.UTF_8));
    }
}

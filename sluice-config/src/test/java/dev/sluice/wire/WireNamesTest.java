package dev.sluice.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The one place the wire contract is spelled out literally. These names live in running clusters
 * (topics, consumer groups, transactional ids, stored headers) and in users' consumers and DLQ
 * tooling: renaming one breaks deployments, so a change here must be deliberate. Every other test
 * uses {@link Topics}, {@link ClientIds} and {@link SluiceHeaders}.
 */
class WireNamesTest {
    @Test
    void topics() {
        assertEquals("events", Topics.input("events"));
        assertEquals("events.out", Topics.output("events"));
        assertEquals("events.dlq", Topics.deadLetters("events"));
        assertEquals("events.sink-state", Topics.sinkState("events"));
        assertEquals("events.dlq-replayed", Topics.deadLettersReplayed("events"));
        assertEquals("events.backfilled", Topics.backfilled("events"));
        assertEquals("sluice.table.customers", Topics.table("customers"));
        assertEquals("sluice.notifications", Topics.NOTIFICATIONS);
        assertEquals("sluice.workflows.commands", Topics.WORKFLOW_COMMANDS);
        assertEquals("idempotency-keys", Topics.PROCESSOR_IDEMPOTENCY_STORE);
    }

    @Test
    void groupsApplicationsAndTransactionalIds() {
        assertEquals("sluice-events-processor", ClientIds.processorApplication("events"));
        assertEquals("sluice-events-dlq-replay", ClientIds.deadLetterReplay("events"));
        assertEquals("sluice-events-backfill", ClientIds.backfill("events"));
        assertEquals("sluice-events-processor-i1", ClientIds.processorMember("events", "i1"));
        assertEquals("events-sink", ClientIds.sinkGroup("events"));
        assertEquals("sluice-sink-events-i1", ClientIds.sinkMember("events", "i1"));
        assertEquals("sluice-ingest-i1-0", ClientIds.ingestTransaction("i1", 0));
        assertEquals("sluice-workflows", ClientIds.WORKFLOWS_APPLICATION);
        assertEquals("sluice-workflows-i1", ClientIds.workflowsMember("i1"));
    }

    @Test
    void headersAndTheirValues() {
        assertEquals(
                List.of(
                        "sluice.ingest.time",
                        "sluice.source",
                        "sluice.request.id",
                        "sluice.idempotency.key",
                        "sluice.idempotency.digest",
                        "sluice.backfill.of",
                        "sluice.replay.of",
                        "sluice.error.stage",
                        "sluice.error.transform",
                        "sluice.error.exception",
                        "sluice.error.message"),
                List.of(
                        SluiceHeaders.INGEST_TIME,
                        SluiceHeaders.SOURCE,
                        SluiceHeaders.REQUEST_ID,
                        SluiceHeaders.IDEMPOTENCY_KEY,
                        SluiceHeaders.IDEMPOTENCY_DIGEST,
                        SluiceHeaders.BACKFILL_OF,
                        SluiceHeaders.REPLAY_OF,
                        SluiceHeaders.ERROR_STAGE,
                        SluiceHeaders.ERROR_TRANSFORM,
                        SluiceHeaders.ERROR_EXCEPTION,
                        SluiceHeaders.ERROR_MESSAGE));
        assertEquals(
                List.of("http", "ws", "kafka", "backfill"),
                Arrays.stream(Source.values()).map(Source::wireName).toList());
        assertEquals(
                List.of("parse", "schema", "transform", "partition", "parquet", "idempotency"),
                Arrays.stream(DeadLetterStage.values())
                        .map(DeadLetterStage::wireName)
                        .toList());
    }
}

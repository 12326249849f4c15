package dev.sluice.server.admin;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.config.PipelineConfig;
import dev.sluice.wire.DeadLetterStage;
import dev.sluice.wire.SluiceHeaders;
import dev.sluice.wire.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

/** Which dead letters a replay selects, and what each goes back as. */
class DeadLetterReplayUnitTest {
    private static final PipelineConfig EVENTS = new PipelineConfig("events", 2, List.of(), null);
    private static final long AT = Instant.parse("2026-11-28T08:00:00Z").toEpochMilli();

    private static ConsumerRecord<byte[], byte[]> deadLetter(String stage, String transform, long timestamp) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(SluiceHeaders.INGEST_TIME, Long.toString(timestamp).getBytes(StandardCharsets.UTF_8));
        headers.add(SluiceHeaders.REQUEST_ID, "r1".getBytes(StandardCharsets.UTF_8));
        headers.add(SluiceHeaders.REPLAY_OF, (Topics.deadLetters("events") + "/0@1").getBytes(StandardCharsets.UTF_8));
        headers.add(SluiceHeaders.ERROR_STAGE, stage.getBytes(StandardCharsets.UTF_8));
        if (transform != null) {
            headers.add(SluiceHeaders.ERROR_TRANSFORM, transform.getBytes(StandardCharsets.UTF_8));
        }
        headers.add(SluiceHeaders.ERROR_MESSAGE, "no".getBytes(StandardCharsets.UTF_8));
        return new ConsumerRecord<>(
                Topics.deadLetters("events"),
                1,
                17,
                timestamp,
                TimestampType.CREATE_TIME,
                0,
                0,
                "k".getBytes(StandardCharsets.UTF_8),
                "{\"id\":\"a\"}".getBytes(StandardCharsets.UTF_8),
                headers,
                Optional.empty());
    }

    @Test
    void aFilterMatchesByStageTransformAndTime() {
        ConsumerRecord<byte[], byte[]> redact = deadLetter("transform", "redact", AT);
        ConsumerRecord<byte[], byte[]> schema = deadLetter("schema", null, AT);
        assertTrue(ReplayFilter.ALL.matches(redact.headers(), AT));
        ReplayFilter transforms = new ReplayFilter(DeadLetterStage.TRANSFORM, null, null, null);
        assertTrue(transforms.matches(redact.headers(), AT));
        assertFalse(transforms.matches(schema.headers(), AT));
        assertTrue(new ReplayFilter(null, "redact", null, null).matches(redact.headers(), AT));
        assertFalse(new ReplayFilter(null, "enrich", null, null).matches(redact.headers(), AT));
        assertFalse(new ReplayFilter(null, "redact", null, null).matches(schema.headers(), AT));

        Instant at = Instant.ofEpochMilli(AT);
        ReplayFilter hour = new ReplayFilter(null, null, at, at.plusSeconds(3600));
        assertTrue(hour.matches(redact.headers(), AT), "since is inclusive");
        assertFalse(hour.matches(redact.headers(), AT - 1));
        assertFalse(hour.matches(redact.headers(), AT + 3_600_000), "until is exclusive");
    }

    @Test
    void badFiltersAreRefusedSayingWhy() {
        Instant at = Instant.ofEpochMilli(AT);
        IllegalArgumentException backwards =
                assertThrows(IllegalArgumentException.class, () -> new ReplayFilter(null, null, at, at));
        assertEquals(
                "since (2026-11-28T08:00:00Z) must be before until (2026-11-28T08:00:00Z)", backwards.getMessage());
        assertEquals(DeadLetterStage.PARQUET, ReplayFilter.stage("parquet"));
        IllegalArgumentException unknown =
                assertThrows(IllegalArgumentException.class, () -> ReplayFilter.stage("Transform"));
        assertEquals(
                "stage must be one of [parse, schema, transform, partition, parquet, idempotency], not 'Transform'",
                unknown.getMessage());
    }

    @Test
    void aDeadLetterGoesBackWithoutItsReasonAndSaysWhatItWas() {
        ConsumerRecord<byte[], byte[]> dead = deadLetter("transform", "redact", AT);
        ProducerRecord<byte[], byte[]> back = DeadLetterReplay.putBack(EVENTS, dead, AT + 5_000);
        assertEquals("events", back.topic(), "a transform's dead letter goes through the transforms again");
        assertEquals(null, back.partition(), "placed by its key, as ingest places it");
        assertEquals(AT, back.timestamp(), "its own time: the sink files it where it would have");
        assertArrayEquals(dead.key(), back.key());
        assertArrayEquals(dead.value(), back.value());
        List<String> headers = new ArrayList<>();
        for (Header h : back.headers()) {
            headers.add(h.key() + "=" + new String(h.value(), StandardCharsets.UTF_8));
        }
        assertEquals(
                List.of(
                        SluiceHeaders.INGEST_TIME + "=" + AT,
                        SluiceHeaders.REQUEST_ID + "=r1",
                        SluiceHeaders.REPLAY_OF + "=events.dlq/1@17"),
                headers);
        assertEquals("1@17", DeadLetterReplay.mark(dead));

        ProducerRecord<byte[], byte[]> encoded = DeadLetterReplay.putBack(EVENTS, deadLetter("parquet", null, AT), AT);
        assertEquals(Topics.output("events"), encoded.topic(), "the sink refused it: it goes back to the sink");
    }
}

package dev.sluice.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.config.SinkConfig;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecordedBatchesTest {
    private static final ObjectKeyLayout.Spec FIELD_LAYOUT =
            new ObjectKeyLayout.Spec("p", "year=%Y", null, List.of("k"));
    private static final ObjectKeyLayout CURRENT = new ObjectKeyLayout(FIELD_LAYOUT);

    private static BatchManifest manifest(
            String key, String folders, Map<Integer, OffsetRange> ranges, ObjectKeyLayout.Spec layout) {
        return new BatchManifest(
                key,
                "b",
                folders,
                ranges,
                3,
                30,
                0,
                1,
                SinkConfig.Format.NDJSON,
                SinkConfig.Compression.GZIP,
                layout,
                CloseReason.RECORDS,
                BatchManifest.State.PENDING,
                -1,
                null,
                0);
    }

    private static byte[] json(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void manifestsSurviveTheirJsonForm() {
        BatchManifest pending = manifest(
                "p/k=1/year=2026/01K.json.gz",
                "k=1/year=2026",
                Map.of(0, new OffsetRange(5, 9), 3, new OffsetRange(100, 100)),
                FIELD_LAYOUT);
        assertEquals(pending, BatchManifest.fromJson(pending.toJson()));
        BatchManifest written = pending.written(1234, "\"etag\"", 1);
        assertEquals(written, BatchManifest.fromJson(written.toJson()));
        assertEquals(2, written.recordsWritten());
        assertFalse(written.isPending());
    }

    @Test
    void aRecordReadAgainIsSkippedOnlyWhenItIsInARecordedBatch() {
        RecordedBatches recorded = new RecordedBatches(CURRENT);
        recorded.add(0, manifest("a", "k=1/year=2026", Map.of(0, new OffsetRange(10, 20)), FIELD_LAYOUT), true);
        long ts = 1_795_352_700_000L;

        assertTrue(recorded.contains(0, 10, "k=1/year=2026", ts, json("{\"k\":1}")));
        assertTrue(recorded.contains(0, 20, "k=1/year=2026", ts, json("{\"k\":1}")));
        assertFalse(recorded.contains(0, 15, "k=2/year=2026", ts, json("{\"k\":2}")), "another partition's record");
        assertFalse(recorded.contains(1, 15, "k=1/year=2026", ts, json("{\"k\":1}")), "another source partition");
        assertFalse(recorded.contains(0, 21, "k=1/year=2026", ts, json("{\"k\":1}")), "past the range");
        assertFalse(
                recorded.contains(0, 12, "k=1/year=2026", ts, json("{\"k\":1}")), "no checks once past every range");
    }

    @Test
    void aBatchCutWithAnotherLayoutIsMatchedUnderThatLayout() {
        ObjectKeyLayout.Spec old = new ObjectKeyLayout.Spec("p", "year=%Y", null, List.of());
        RecordedBatches recorded = new RecordedBatches(CURRENT);
        recorded.add(0, manifest("a", "year=2026", Map.of(0, new OffsetRange(0, 5)), old), true);
        assertTrue(recorded.contains(0, 3, "k=1/year=2026", 1_795_352_700_000L, json("{\"k\":1}")));
    }

    @Test
    void writtenBatchesGoOnceTheCommittedOffsetPassesThem() {
        RecordedBatches recorded = new RecordedBatches(CURRENT);
        BatchManifest a = manifest(
                "a", "k=1/year=2026", Map.of(0, new OffsetRange(0, 10), 1, new OffsetRange(4, 4)), FIELD_LAYOUT);
        BatchManifest b = manifest("b", "k=2/year=2026", Map.of(0, new OffsetRange(5, 30)), FIELD_LAYOUT);
        recorded.add(0, a, false);
        recorded.add(1, a, false);
        recorded.add(0, b, false);
        assertEquals(List.of(), recorded.removable(0, 100), "pending batches stay");
        recorded.markWritten(a);
        recorded.markWritten(b);
        assertEquals(List.of(), recorded.removable(0, 10));
        assertEquals(List.of("a"), recorded.removable(0, 11));
        assertEquals(List.of("b"), recorded.removable(0, 31));
        assertEquals(List.of("a"), recorded.removable(1, 5));
        assertEquals(List.of(), recorded.removable(1, 5));
    }
}

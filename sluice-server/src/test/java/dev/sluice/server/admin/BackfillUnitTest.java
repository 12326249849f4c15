package dev.sluice.server.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/** Where a backfill reads, which objects it takes, and how it splits them into records. */
class BackfillUnitTest {
    @Test
    void fromIsABucketAndAPrefix() {
        Backfill.From from = Backfill.From.parse("s3://sluice/events/year=2026/", null, null);
        assertEquals("sluice", from.bucket());
        assertEquals("events/year=2026/", from.prefix());
        assertEquals("", Backfill.From.parse("s3://sluice", null, null).prefix());
        IllegalArgumentException notS3 =
                assertThrows(IllegalArgumentException.class, () -> Backfill.From.parse("sluice/events", null, null));
        assertEquals("from must be s3://bucket/prefix, not 'sluice/events'", notS3.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Backfill.From.parse("s3://", null, null));

        Instant t = Instant.parse("2026-11-28T08:00:00Z");
        Backfill.From hour = Backfill.From.parse("s3://b/p", t, t.plusSeconds(3600));
        assertTrue(hour.covers(t));
        assertFalse(hour.covers(t.minusMillis(1)));
        assertFalse(hour.covers(t.plusSeconds(3600)));
        assertThrows(IllegalArgumentException.class, () -> Backfill.From.parse("s3://b/p", t, t));
    }

    @Test
    void onlyNdjsonObjectsAreTaken() {
        for (String key : List.of("events/a.json.gz", "x.ndjson", "x.jsonl.gz", "X.JSON")) {
            assertTrue(Backfill.isNdjson(key), key);
        }
        for (String key : List.of("events/a.parquet", "x.csv.gz", "x.gz", "json")) {
            assertFalse(Backfill.isNdjson(key), key);
        }
    }

    @Test
    void objectsAreReadAsTextGunzippedWhenTheyAreGzipWhateverTheirName() throws Exception {
        String text = "{\"id\":\"a\"}\r\n\n{\"id\":\"b\"}\n{\"id\":\"c\"}";
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
        for (byte[] content : List.of(text.getBytes(StandardCharsets.UTF_8), gz.toByteArray(), new byte[] {'x'})) {
            try (BufferedReader reader = Backfill.reader(new ByteArrayInputStream(content))) {
                List<String> lines = reader.lines().toList();
                if (content.length == 1) {
                    assertEquals(List.of("x"), lines, "one byte is not gzip");
                } else {
                    assertEquals(List.of("{\"id\":\"a\"}", "", "{\"id\":\"b\"}", "{\"id\":\"c\"}"), lines);
                }
            }
        }
    }

    @Test
    void aMarkSaysHowFarABackfillGotInAnObject() {
        Backfill.Mark mark = new Backfill.Mark("\"9b2c\"", 5000, false);
        assertEquals(mark, Backfill.Mark.parse(new String(mark.toJson(), StandardCharsets.UTF_8)));
        assertEquals(null, Backfill.Mark.parse("not json"), "a mark this version cannot read: the object again");
        assertEquals(null, Backfill.Mark.parse(null));
    }
}

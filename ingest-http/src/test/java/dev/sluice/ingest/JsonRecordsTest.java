package dev.sluice.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonRecordsTest {
    private static final long LIMIT = 1 << 20;

    private static List<String> split(String body, BodyFormat format) {
        return JsonRecords.split(body.getBytes(StandardCharsets.UTF_8), format, LIMIT).stream()
                .map(b -> new String(b, StandardCharsets.UTF_8))
                .toList();
    }

    private static List<String> split(String body) {
        return split(body, BodyFormat.JSON);
    }

    private static IngestError refused(String body) {
        return refused(body.getBytes(StandardCharsets.UTF_8), BodyFormat.JSON, LIMIT);
    }

    private static IngestError refused(byte[] body, BodyFormat format, long limit) {
        return assertThrows(IngestError.class, () -> JsonRecords.split(body, format, limit));
    }

    @Test
    void splitsAnArrayKeepingEachRecordsOriginalBytes() {
        assertEquals(
                List.of("{\"id\":\"a1\"}", "{ \"id\" : \"é\", \"n\": [1, {\"x\": null}] }"),
                split(" [ {\"id\":\"a1\"} ,\n { \"id\" : \"é\", \"n\": [1, {\"x\": null}] } ] \n"));
    }

    @Test
    void acceptsASingleObjectAndAnEmptyArray() {
        assertEquals(List.of("{\"id\":1}"), split("{\"id\":1}"));
        assertEquals(List.of(), split("[]"));
    }

    @Test
    void splitsNdjson() {
        assertEquals(
                List.of("{\"a\":1}", "{\"b\":2}", "{\"c\":3}"),
                split("{\"a\":1}\n{\"b\":2}\r\n\n{\"c\":3}", BodyFormat.NDJSON));
        IngestError e = refused("{\"a\":1}\n[1]\n".getBytes(StandardCharsets.UTF_8), BodyFormat.NDJSON, LIMIT);
        assertEquals(1, e.index);
        assertTrue(e.getMessage().contains("an array"), e.getMessage());
    }

    @Test
    void namesTheFirstRecordThatIsNotAnObject() {
        IngestError e = refused("[{\"a\":1}, {\"b\":2}, 3, {\"c\":4}]");
        assertEquals(400, e.status());
        assertEquals(ErrorCode.INVALID_JSON, e.code());
        assertEquals(2, e.index);
        assertTrue(e.getMessage().contains("a number"), e.getMessage());
    }

    @Test
    void namesTheRecordWithBrokenJson() {
        assertEquals(1, refused("[{\"a\":1}, {\"b\": tru}]").index);
        assertEquals(0, refused("[{\"a\":1").index);
    }

    @Test
    void refusesWhatIsNotObjects() {
        assertEquals(-1, refused("").index);
        assertEquals(-1, refused("   \n").index);
        assertEquals(-1, refused("\"hello\"").index);
        assertEquals(-1, refused("{\"a\":1} {\"b\":2}").index);
        assertEquals(0, refused("[[1]]").index);
        assertTrue(refused("not json").getMessage().contains("not valid JSON"));
    }

    @Test
    void refusesDuplicateKeysDeepNestingAndInvalidUtf8ByRecord() {
        IngestError duplicate = refused("[{\"a\":1}, {\"id\":1, \"id\":2}]");
        assertEquals(1, duplicate.index);
        assertTrue(duplicate.getMessage().contains("duplicate key 'id'"), duplicate.getMessage());
        // A key may repeat in sibling and nested objects, just not within one.
        assertEquals(
                List.of("{\"id\":1,\"a\":{\"id\":2,\"b\":[{\"id\":3},{\"id\":4}]},\"c\":{\"id\":5}}"),
                split("[{\"id\":1,\"a\":{\"id\":2,\"b\":[{\"id\":3},{\"id\":4}]},\"c\":{\"id\":5}}]"));
        assertEquals(0, refused("[{\"a\":{\"b\":[{\"x\":1,\"y\":2,\"x\":3}]}}]").index);
        assertEquals(0, refused("{\"a\":{\"b\":1}, \"c\":2, \"a\":3}").index);
        // Escapes spell the same key.
        assertEquals(0, refused("{\"id\":1, \"\\u0069d\":2}").index);

        String deep = "{\"a\":".repeat(JsonRecords.MAX_NESTING + 1) + "1" + "}".repeat(JsonRecords.MAX_NESTING + 1);
        IngestError nested = refused("[{\"ok\":1}, " + deep + "]");
        assertEquals(400, nested.status());
        assertEquals(1, nested.index);

        byte[] badUtf8 = {
            '[',
            '{',
            '"',
            'a',
            '"',
            ':',
            '1',
            '}',
            ',',
            '{',
            '"',
            's',
            '"',
            ':',
            '"',
            (byte) 0xC3,
            (byte) 0x28,
            '"',
            '}',
            ']'
        };
        IngestError utf8 = refused(badUtf8, BodyFormat.JSON, LIMIT);
        assertEquals(1, utf8.index);
        assertTrue(utf8.getMessage().contains("UTF-8"), utf8.getMessage());
    }

    @Test
    void aRecordOverTheLimitIs413WithItsIndex() {
        String big = "{\"s\":\"" + "x".repeat(200) + "\"}";
        IngestError e = refused(("[{\"a\":1}," + big + "]").getBytes(StandardCharsets.UTF_8), BodyFormat.JSON, 100);
        assertEquals(413, e.status());
        assertEquals(ErrorCode.RECORD_TOO_LARGE, e.code());
        assertEquals(1, e.index);
    }
}

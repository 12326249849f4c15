package dev.sluice.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonRecordsTest {

    private static List<String> split(String body) {
        return JsonRecords.split(body.getBytes(StandardCharsets.UTF_8)).stream()
                .map(b -> new String(b, StandardCharsets.UTF_8))
                .toList();
    }

    private static IngestError refused(String body) {
        return assertThrows(IngestError.class, () -> JsonRecords.split(body.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void splitsAnArrayKeepingEachRecordsOriginalBytes() {
        assertEquals(List.of("{\"id\":\"a1\"}", "{ \"id\" : \"é\", \"n\": [1, {\"x\": null}] }"),
                split(" [ {\"id\":\"a1\"} ,\n { \"id\" : \"é\", \"n\": [1, {\"x\": null}] } ] \n"));
    }

    @Test
    void acceptsASingleObjectAndAnEmptyArray() {
        assertEquals(List.of("{\"id\":1}"), split("{\"id\":1}"));
        assertEquals(List.of(), split("[]"));
    }

    @Test
    void namesTheFirstRecordThatIsNotAnObject() {
        IngestError e = refused("[{\"a\":1}, {\"b\":2}, 3, {\"c\":4}]");
        assertEquals(400, e.status);
        assertEquals("invalid_json", e.code);
        assertEquals(2, e.index);
        assertTrue(e.getMessage().contains("a number"), e.getMessage());
    }

    @Test
    void namesTheRecordWithBrokenJson() {
        IngestError e = refused("[{\"a\":1}, {\"b\": tru}]");
        assertEquals(1, e.index);
        assertEquals(0, refused("[{\"a\":1").index);
    }

    @Test
    void refusesWhatIsNotObjects() {
        assertEquals(-1, refused("").index);
        assertEquals(-1, refused("\"hello\"").index);
        assertEquals(-1, refused("{\"a\":1} {\"b\":2}").index);
        assertEquals(0, refused("[[1]]").index);
        assertTrue(refused("not json").getMessage().contains("not valid JSON"));
    }
}

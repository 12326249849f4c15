package dev.sluice.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecordSchemaTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final RecordSchema schema = RecordSchema.of(
            new ConfigLoader(Map.of()).parse("""
            pipelines:
              - name: p
                schema:
                  fields:
                    - { name: id, type: string, required: true }
                    - { name: n, type: int32 }
                    - { name: big, type: int64 }
                    - { name: amount, type: float64 }
                    - { name: ok, type: bool }
                    - { name: ts, type: timestamp }
                    - { name: extra, type: json }
            """).pipelines().get(0).schema());

    private static ObjectNode json(String text) throws Exception {
        return (ObjectNode) JSON.readTree(text);
    }

    @Test
    void acceptsRecordsThatFit() throws Exception {
        assertNull(schema.mismatch(json("{\"id\":\"a\"}")));
        assertNull(schema.mismatch(json("{\"id\":\"a\",\"n\":1,\"big\":9007199254740993,\"amount\":1,\"ok\":true,"
                + "\"ts\":\"2026-11-22T13:05:00Z\",\"extra\":[1,{}],\"unknown\":\"allowed\"}")));
        assertNull(schema.mismatch(json("{\"id\":\"a\",\"ts\":1763816700000,\"amount\":1.5,\"n\":null}")));
        assertNull(schema.mismatch(json("{\"id\":\"a\",\"ts\":\"2026-11-22T14:05:00+01:00\"}")));
    }

    @Test
    void namesTheFieldThatDoesNotFit() throws Exception {
        assertEquals("field 'id' is required", schema.mismatch(json("{\"n\":1}")));
        assertEquals("field 'id' is required", schema.mismatch(json("{\"id\":null}")));
        assertEquals("field 'id' must be string, got integer 5", schema.mismatch(json("{\"id\":5}")));
        assertEquals(
                "field 'n' must be int32, got integer 3000000000",
                schema.mismatch(json("{\"id\":\"a\",\"n\":3000000000}")));
        assertEquals("field 'n' must be int32, got number 1.5", schema.mismatch(json("{\"id\":\"a\",\"n\":1.5}")));
        assertEquals(
                "field 'amount' must be float64, got string \"1.5\"",
                schema.mismatch(json("{\"id\":\"a\",\"amount\":\"1.5\"}")));
        assertEquals(
                "field 'ok' must be bool, got string \"yes\"", schema.mismatch(json("{\"id\":\"a\",\"ok\":\"yes\"}")));
        assertEquals(
                "field 'ts' must be timestamp, got string \"yesterday\"",
                schema.mismatch(json("{\"id\":\"a\",\"ts\":\"yesterday\"}")));
        assertTrue(schema.mismatch(json("{\"id\":{}}")).endsWith("got object"));
    }

    @Test
    void noSchemaAcceptsAnything() throws Exception {
        assertTrue(RecordSchema.of(null).acceptsAnything());
        assertNull(RecordSchema.of(null).mismatch(json("{}")));
    }
}

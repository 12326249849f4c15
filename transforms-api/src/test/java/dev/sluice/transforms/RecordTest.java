package dev.sluice.transforms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecordTest {

    @Test
    void readsAndChangesFields() {
        Record r = Record.parse("{\"id\":\"a1\",\"user\":null,\"n\":3}");
        assertEquals("a1", r.getString("id"));
        assertFalse(r.has("user"));
        assertNull(r.getString("missing"));
        r.set("user", "u1").set("n", 4).remove("id");
        assertEquals("{\"user\":\"u1\",\"n\":4}", r.toString());
    }

    @Test
    void copyIsIndependent() {
        Record a = Record.parse("{\"x\":1}");
        Record b = a.copy().set("x", 2);
        assertEquals(1, a.get("x").asInt());
        assertEquals(2, b.get("x").asInt());
    }

    @Test
    void rejectsNonObjects() {
        assertThrows(IllegalArgumentException.class, () -> Record.parse("[1]"));
        assertThrows(IllegalArgumentException.class, () -> Record.parse("{"));
    }

    @Test
    void transformEmitsZeroOneOrMany() throws Exception {
        Transform split = (record, out) -> {
            for (int i = 0; i < record.get("copies").asInt(); i++) {
                out.emit(record.copy().set("copy", i));
            }
        };
        List<Record> emitted = new ArrayList<>();
        split.apply(Record.parse("{\"copies\":2}"), emitted::add);
        split.apply(Record.parse("{\"copies\":0}"), emitted::add);
        assertEquals(
                List.of(Record.parse("{\"copies\":2,\"copy\":0}"), Record.parse("{\"copies\":2,\"copy\":1}")), emitted);
        assertNotSame(emitted.get(0), emitted.get(1));
    }

    @Test
    void pathsReachNestedFieldsAndArrayElements() {
        Record r =
                Record.parse("{\"customer\":{\"id\":7,\"tags\":[\"a\",\"b\"]},\"items\":[{\"sku\":\"x\",\"qty\":2}]}");
        assertEquals(7L, r.getLong("customer.id"));
        assertEquals("b", r.getString("customer.tags[1]"));
        assertEquals("x", r.getString("items[0].sku"));
        assertEquals(2, r.getInt("items[0].qty"));
        assertNull(r.get("items[3].sku"));
        assertNull(r.get("customer.id.deeper"));
        assertFalse(r.has("customer.name"));

        r.set("customer.address.city", "Oslo")
                .set("items[1].sku", "y")
                .set("customer.tags[0]", "z")
                .remove("items[0]");
        assertEquals(
                "{\"customer\":{\"id\":7,\"tags\":[\"z\",\"b\"],\"address\":{\"city\":\"Oslo\"}},\"items\":[{\"sku\":\"y\"}]}",
                r.toString());
        r.remove("customer.address.city").remove("no.such.path");
        assertEquals("{}", r.get("customer.address").toString());

        assertThrows(IllegalArgumentException.class, () -> r.set("customer.id.x", 1), "a number has no fields");
        assertThrows(IllegalArgumentException.class, () -> r.set("items[5]", 1), "past the end of an array");
        assertThrows(IllegalArgumentException.class, () -> r.get("a..b"));
        assertThrows(IllegalArgumentException.class, () -> r.get("a[x]"));
    }

    @Test
    void typedGettersConvertOrSayWhatTheyFound() {
        Record r = Record.parse(
                "{\"n\":3,\"f\":1.5,\"b\":true,\"s\":\"hi\",\"t\":\"2026-11-22T13:05:00+01:00\",\"ms\":1000,\"o\":{\"k\":1},\"z\":null}");
        assertEquals(3L, r.getLong("n"));
        assertEquals(1.5, r.getDouble("f"));
        assertEquals(3.0, r.getDouble("n"));
        assertEquals(true, r.getBoolean("b"));
        assertEquals("3", r.getString("n"));
        assertEquals("{\"k\":1}", r.getString("o"));
        assertEquals(Instant.parse("2026-11-22T12:05:00Z"), r.getInstant("t"));
        assertEquals(Instant.ofEpochMilli(1000), r.getInstant("ms"));
        assertNull(r.getLong("z"));
        assertNull(r.getBoolean("missing"));
        assertEquals(
                "field 'f' is 1.5, not a whole number",
                assertThrows(IllegalArgumentException.class, () -> r.getLong("f"))
                        .getMessage());
        assertThrows(IllegalArgumentException.class, () -> r.getBoolean("s"));
        assertThrows(IllegalArgumentException.class, () -> r.getInstant("s"));
    }

    @Test
    void copiesKeepTheirMetadata() {
        RecordMetadata m = new RecordMetadata("p", Instant.EPOCH, "kafka", 2, 9, Map.of("h", "v"));
        Record r = Record.of(Record.parse("{}").json(), m);
        assertEquals(m, r.copy().metadata());
        assertEquals("v", r.metadata().header("h"));
        assertEquals(RecordMetadata.NONE, Record.empty().metadata());
    }

    @Test
    void knowsWhetherItMayHaveBeenModified() {
        Record r = Record.parse("{\"a\":1,\"o\":{\"k\":1},\"s\":\"x\"}");
        r.getString("s");
        r.getLong("a");
        r.get("a");
        r.has("o.k");
        r.getString("o");
        assertFalse(r.isModified(), "reads of values leave it unmodified");
        r.get("o");
        assertTrue(r.isModified(), "an object handed out may be changed");
        assertTrue(Record.parse("{}").set("a", 1).isModified());
        assertTrue(Record.parse("{}").remove("a").isModified());
        Record viaJson = Record.parse("{}");
        viaJson.json();
        assertTrue(viaJson.isModified());
    }
}

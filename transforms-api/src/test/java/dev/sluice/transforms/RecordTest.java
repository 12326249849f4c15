package dev.sluice.transforms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
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
        assertEquals(List.of(Record.parse("{\"copies\":2,\"copy\":0}"), Record.parse("{\"copies\":2,\"copy\":1}")), emitted);
        assertTrue(emitted.get(0) != emitted.get(1));
    }
}

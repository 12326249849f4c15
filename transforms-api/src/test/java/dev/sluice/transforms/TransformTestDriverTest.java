package dev.sluice.transforms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TransformTestDriverTest {

    /** Opens with config and the context, enriches from a table, counts its lifecycle. */
    static final class Enrich implements Transform {
        final List<String> calls = new ArrayList<>();
        private TransformContext context;
        private String table;

        @Override
        public void open(TransformContext context) {
            this.context = context;
            this.table = context.configString("table", null);
            calls.add("open " + context.pipeline() + "/" + context.label());
        }

        @Override
        public void apply(Record record, Emitter out) {
            calls.add("apply");
            context.lookup(table, record.getString("customerId")).ifPresent(c -> record.set("customer", c));
            out.emit(record.set("source", record.metadata().source()));
        }

        @Override
        public void close() {
            calls.add("close");
        }
    }

    @Test
    void runsATransformWithConfigLookupsAndMetadataAndNoBroker() throws Exception {
        Enrich enrich = new Enrich();
        try (TransformTestDriver driver = TransformTestDriver.of(enrich)
                .pipeline("orders")
                .label("enrich")
                .config(Map.of("table", "customers"))
                .metadata(new RecordMetadata("orders", Instant.EPOCH, "http", 0, 5, Map.of()))
                .table("customers", "c7", "{\"name\":\"Ada\"}")) {
            List<Record> out = driver.apply("{\"id\":\"o1\",\"customerId\":\"c7\"}");
            assertEquals(1, out.size());
            assertEquals("Ada", out.get(0).getString("customer.name"));
            assertEquals("http", out.get(0).getString("source"));
            assertEquals(5, out.get(0).metadata().offset());

            driver.table("customers", "c7", null);
            assertFalse(
                    driver.apply("{\"id\":\"o2\",\"customerId\":\"c7\"}").get(0).has("customer"));
        }
        assertEquals(List.of("open orders/enrich", "apply", "apply", "close"), enrich.calls);
    }

    @Test
    void exceptionsReachTheTestAndUndeclaredTablesAreNamed() throws Exception {
        Transform strict = (record, out) -> out.emit(record.set("n", record.getLong("n") + 1));
        try (TransformTestDriver driver = TransformTestDriver.of(strict)) {
            assertEquals(2L, driver.apply("{\"n\":1}").get(0).getLong("n"));
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> driver.apply("{\"n\":\"one\"}"));
            assertEquals("field 'n' is \"one\", not a whole number", e.getMessage());
        }
        Transform lookup = new Transform() {
            private TransformContext context;

            @Override
            public void open(TransformContext c) {
                context = c;
            }

            @Override
            public void apply(Record record, Emitter out) {
                context.lookup("nope", "k");
            }
        };
        try (TransformTestDriver driver = TransformTestDriver.of(lookup)) {
            assertTrue(assertThrows(IllegalArgumentException.class, () -> driver.apply("{}"))
                    .getMessage()
                    .contains("'nope'"));
        }
    }

    @Test
    void noOpenOrCloseWithoutARecord() throws Exception {
        Enrich enrich = new Enrich();
        TransformTestDriver.of(enrich).close();
        assertEquals(List.of(), enrich.calls);
        assertNull(Record.empty().metadata().pipeline());
    }

    /** Copies its typed config into the record it emits. */
    static final class Configured implements Transform {
        private TransformContext context;

        @Override
        public void open(TransformContext context) {
            this.context = context;
        }

        @Override
        public void apply(Record record, Emitter out) {
            out.emit(record.set("n", context.configInt("n", 1))
                    .set("big", context.configLong("big", 0))
                    .set("on", context.configBoolean("on", false))
                    .set("name", context.configString("name", "none"))
                    .set("tags", String.join(",", context.configStrings("tags", List.of())))
                    .set("one", String.join(",", context.configStrings("one", List.of()))));
        }
    }

    @Test
    void typedConfigGettersReadYamlValuesAndFallBack() throws Exception {
        Map<String, Object> config =
                Map.of("n", 3, "big", "5000000000", "on", "true", "tags", List.of("a", "b"), "one", "x");
        Record out = TransformTestDriver.of(new Configured())
                .config(config)
                .apply("{}")
                .get(0);
        assertEquals(3, out.getInt("n"));
        assertEquals(5_000_000_000L, out.getLong("big"));
        assertTrue(out.getBoolean("on"));
        assertEquals("none", out.getString("name"));
        assertEquals("a,b", out.getString("tags"));
        assertEquals("x", out.getString("one"));
    }

    @Test
    void aConfigValueOfTheWrongTypeNamesTheTransformAndKey() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> TransformTestDriver.of(new Configured())
                        .label("counter")
                        .config(Map.of("n", "many"))
                        .apply("{}"));
        assertEquals("transform counter: config n is not a whole number: many", e.getMessage());
    }
}

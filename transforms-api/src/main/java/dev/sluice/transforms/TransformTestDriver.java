package dev.sluice.transforms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs a {@link Transform} in a plain unit test, without Kafka: gives it a context (pipeline, label,
 * config, lookup tables), opens it on first use, and collects what it emits.
 *
 * <pre>{@code
 * try (TransformTestDriver driver = TransformTestDriver.of(new EnrichFromLookup())
 *         .config(Map.of("table", "customers", "key", "customerId"))
 *         .table("customers", "c7", "{\"name\":\"Ada\"}")) {
 *     List<Record> out = driver.apply("{\"id\":\"o1\",\"customerId\":\"c7\"}");
 *     assertEquals("Ada", out.get(0).getString("customer.name"));
 * }
 * }</pre>
 *
 * Like the pipeline, the driver calls {@code open} once before the first record and {@code close}
 * when closed; an exception from the transform reaches the test as it is.
 */
public final class TransformTestDriver implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Transform transform;
    private String pipeline = "test";
    private String label = "under-test";
    private Map<String, Object> config = Map.of();
    private RecordMetadata metadata = RecordMetadata.NONE;
    private final Map<String, Map<String, JsonNode>> tables = new HashMap<>();
    private boolean opened;

    private TransformTestDriver(Transform transform) {
        this.transform = transform;
    }

    /** A driver for one transform instance; {@link #apply} opens it on first use. */
    public static TransformTestDriver of(Transform transform) {
        return new TransformTestDriver(transform);
    }

    /** The pipeline name {@link TransformContext#pipeline()} reports (default {@code test}). */
    public TransformTestDriver pipeline(String name) {
        this.pipeline = name;
        return this;
    }

    /** The step label {@link TransformContext#label()} reports (default {@code under-test}). */
    public TransformTestDriver label(String name) {
        this.label = name;
        return this;
    }

    /** The step's {@code config}, as {@code sluice.yaml} would give it. */
    public TransformTestDriver config(Map<String, Object> stepConfig) {
        this.config = Map.copyOf(stepConfig);
        return this;
    }

    /** The metadata every input record gets (default: none). */
    public TransformTestDriver metadata(RecordMetadata inputMetadata) {
        this.metadata = inputMetadata;
        return this;
    }

    /** Puts a row into a lookup table (declaring the table); a null value removes the key. */
    public TransformTestDriver table(String table, String key, String jsonValue) {
        Map<String, JsonNode> rows = tables.computeIfAbsent(table, t -> new HashMap<>());
        if (jsonValue == null) {
            rows.remove(key);
        } else {
            try {
                rows.put(key, JSON.readTree(jsonValue));
            } catch (IOException e) {
                throw new UncheckedIOException("not valid JSON for table " + table + ", key " + key, e);
            }
        }
        return this;
    }

    /** Runs one record through the transform and returns what it emitted, in order. */
    public List<Record> apply(Record input) throws Exception {
        if (!opened) {
            transform.open(new Context());
            opened = true;
        }
        List<Record> out = new ArrayList<>();
        transform.apply(RecordMetadata.NONE.equals(input.metadata()) ? input.withMetadata(metadata) : input, out::add);
        return out;
    }

    /** Parses a JSON object and runs it through the transform. */
    public List<Record> apply(String json) throws Exception {
        return apply(Record.parse(json));
    }

    @Override
    public void close() throws Exception {
        if (opened) {
            transform.close();
        }
    }

    private final class Context implements TransformContext {
        @Override
        public String pipeline() {
            return pipeline;
        }

        @Override
        public String label() {
            return label;
        }

        @Override
        public Map<String, Object> config() {
            return config;
        }

        @Override
        public Optional<JsonNode> lookup(String table, String key) {
            Map<String, JsonNode> rows = tables.get(table);
            if (rows == null) {
                throw new IllegalArgumentException("no lookup table '" + table + "' (declare it with table(...))");
            }
            return Optional.ofNullable(rows.get(key));
        }
    }
}

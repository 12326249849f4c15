package dev.sluice.transforms;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * One JSON object flowing through a pipeline. Setters change the record in place and return it,
 * so a transform can write {@code out.emit(record.set("seen", true).remove("password"))}.
 *
 * <pre>{@code
 * Record r = Record.parse("{\"id\":\"a1\",\"user\":\"u1\"}");
 * String user = r.getString("user");   // "u1"
 * r.set("score", 42);
 * }</pre>
 */
public final class Record {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ObjectNode json;

    private Record(ObjectNode json) {
        this.json = Objects.requireNonNull(json, "json");
    }

    /** Wraps a JSON object; the record shares it, it does not copy it. */
    public static Record of(ObjectNode json) {
        return new Record(json);
    }

    /** Parses one JSON object. */
    public static Record parse(String json) {
        try {
            JsonNode node = JSON.readTree(json);
            if (node == null || !node.isObject()) {
                throw new IllegalArgumentException("not a JSON object: " + json);
            }
            return new Record((ObjectNode) node);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** The record's JSON, for access beyond the helpers below. Changes to it change the record. */
    public ObjectNode json() {
        return json;
    }

    /** True when the field is present and not JSON null. */
    public boolean has(String field) {
        JsonNode value = json.get(field);
        return value != null && !value.isNull();
    }

    /** The field's value, or null when absent. */
    public JsonNode get(String field) {
        return json.get(field);
    }

    /** The field as text, or null when absent or JSON null. */
    public String getString(String field) {
        return has(field) ? json.get(field).asText() : null;
    }

    public Record set(String field, String value) {
        json.put(field, value);
        return this;
    }

    public Record set(String field, int value) {
        json.put(field, value);
        return this;
    }

    public Record set(String field, long value) {
        json.put(field, value);
        return this;
    }

    public Record set(String field, double value) {
        json.put(field, value);
        return this;
    }

    public Record set(String field, boolean value) {
        json.put(field, value);
        return this;
    }

    public Record set(String field, JsonNode value) {
        json.set(field, value);
        return this;
    }

    public Record remove(String field) {
        json.remove(field);
        return this;
    }

    /** An independent deep copy, e.g. to emit several variants of one input. */
    public Record copy() {
        return new Record(json.deepCopy());
    }

    /** The record as compact JSON. */
    @Override
    public String toString() {
        return json.toString();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Record r && r.json.equals(json);
    }

    @Override
    public int hashCode() {
        return json.hashCode();
    }
}

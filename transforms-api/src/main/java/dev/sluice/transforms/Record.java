package dev.sluice.transforms;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One JSON object flowing through a pipeline, with where it came from ({@link #metadata()}).
 *
 * <p>Fields are reached by path: {@code user}, {@code customer.address.city}, {@code items[0].sku}.
 * Setters change the record in place (creating the objects a path needs) and return it, so a
 * transform can write {@code out.emit(record.set("seen", true).remove("password"))}. Typed getters
 * return null for a missing or JSON-null field and throw {@link IllegalArgumentException} for a value
 * of another type, which sends the record to the transform's {@code onError} policy.
 *
 * <pre>{@code
 * Record r = Record.parse("{\"id\":\"a1\",\"customer\":{\"id\":7},\"items\":[{\"sku\":\"x\"}]}");
 * long customer = r.getLong("customer.id");          // 7
 * String sku = r.getString("items[0].sku");           // "x"
 * r.set("customer.tier", "gold").remove("items");
 * }</pre>
 *
 * <p>A field name that itself contains {@code .} or {@code [} is reached through {@link #json()}.
 */
// The name is the architecture's contract and Kafka Streams' precedent; kept when the API was reviewed
// (issue 10): users import it by name, which the README and package-info say.
@SuppressWarnings("JavaLangClash")
public final class Record {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ObjectNode json;
    private final RecordMetadata metadata;
    private boolean modified;

    private Record(ObjectNode json, RecordMetadata metadata) {
        this.json = Objects.requireNonNull(json, "json");
        this.metadata = Objects.requireNonNull(metadata, "metadata");
    }

    /** Wraps a JSON object; the record shares it, it does not copy it. */
    public static Record of(ObjectNode json) {
        return new Record(json, RecordMetadata.NONE);
    }

    /** Wraps a JSON object with metadata: the pipeline's, through {@link InternalRecords}. */
    static Record of(ObjectNode json, RecordMetadata metadata) {
        return new Record(json, metadata);
    }

    /** A new, empty record. */
    public static Record empty() {
        return new Record(JsonNodeFactory.instance.objectNode(), RecordMetadata.NONE);
    }

    /** Parses one JSON object. */
    public static Record parse(String json) {
        try {
            JsonNode node = JSON.readTree(json);
            if (node == null || !node.isObject()) {
                throw new IllegalArgumentException("not a JSON object: " + json);
            }
            return new Record((ObjectNode) node, RecordMetadata.NONE);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** The record's JSON, for access beyond the helpers below. Changes to it change the record. */
    public ObjectNode json() {
        modified = true; // the caller may change it
        return json;
    }

    /**
     * Whether the record may differ from the JSON it was created with: true after a setter or
     * {@link #remove}, or once {@link #json()} or {@link #get} handed out an object or array the caller
     * could change. The pipeline passes a record that is not modified on with its original bytes.
     */
    boolean isModified() {
        return modified;
    }

    /** Where the record came from. */
    public RecordMetadata metadata() {
        return metadata;
    }

    /**
     * The value at a path, or null when absent. An object or array returned is the record's own:
     * changing it changes the record.
     */
    public JsonNode get(String path) {
        JsonNode node = find(path);
        if (node != null && node.isContainerNode()) {
            modified = true;
        }
        return node;
    }

    private JsonNode find(String path) {
        JsonNode node = json;
        for (Object segment : FieldPath.parse(path).segments) {
            node = segment instanceof String name
                    ? (node.isObject() ? node.get(name) : null)
                    : (node.isArray() ? node.get((Integer) segment) : null);
            if (node == null) {
                return null;
            }
        }
        return node;
    }

    /** True when the path leads to a value that is not JSON null. */
    public boolean has(String path) {
        JsonNode value = find(path);
        return value != null && !value.isNull();
    }

    /** The value as text (a number or boolean as written; an object or array as JSON), or null. */
    public String getString(String path) {
        JsonNode value = present(path);
        return value == null ? null : value.isValueNode() ? value.asText() : value.toString();
    }

    /** A whole number, or null; a number with a fraction or a non-number throws. */
    public Long getLong(String path) {
        JsonNode value = present(path);
        if (value == null) {
            return null;
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            throw wrongType(path, value, "a whole number");
        }
        return value.longValue();
    }

    /** A whole number that fits an int, or null. */
    public Integer getInt(String path) {
        JsonNode value = present(path);
        if (value == null) {
            return null;
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt()) {
            throw wrongType(path, value, "a whole number within int range");
        }
        return value.intValue();
    }

    /** Any number, or null. */
    public Double getDouble(String path) {
        JsonNode value = present(path);
        if (value == null) {
            return null;
        }
        if (!value.isNumber()) {
            throw wrongType(path, value, "a number");
        }
        return value.doubleValue();
    }

    /** true or false, or null. */
    public Boolean getBoolean(String path) {
        JsonNode value = present(path);
        if (value == null) {
            return null;
        }
        if (!value.isBoolean()) {
            throw wrongType(path, value, "true or false");
        }
        return value.booleanValue();
    }

    /** An ISO-8601 timestamp with a zone, or epoch milliseconds, or null. */
    public Instant getInstant(String path) {
        JsonNode value = present(path);
        if (value == null) {
            return null;
        }
        if (value.isIntegralNumber() && value.canConvertToLong()) {
            return Instant.ofEpochMilli(value.longValue());
        }
        if (value.isTextual()) {
            try {
                return Instant.parse(value.textValue());
            } catch (DateTimeParseException e) {
                try {
                    return OffsetDateTime.parse(value.textValue()).toInstant();
                } catch (DateTimeParseException e2) {
                    throw wrongType(path, value, "an ISO-8601 timestamp with a zone");
                }
            }
        }
        throw wrongType(path, value, "a timestamp");
    }

    /** Sets a string (null sets JSON null) at a path; see {@link #set(String, JsonNode)}. */
    public Record set(String path, String value) {
        return set(
                path, value == null ? JsonNodeFactory.instance.nullNode() : JsonNodeFactory.instance.textNode(value));
    }

    /** Sets a number at a path; see {@link #set(String, JsonNode)}. */
    public Record set(String path, int value) {
        return set(path, JsonNodeFactory.instance.numberNode(value));
    }

    /** Sets a number at a path; see {@link #set(String, JsonNode)}. */
    public Record set(String path, long value) {
        return set(path, JsonNodeFactory.instance.numberNode(value));
    }

    /** Sets a number at a path; see {@link #set(String, JsonNode)}. */
    public Record set(String path, double value) {
        return set(path, JsonNodeFactory.instance.numberNode(value));
    }

    /** Sets {@code true} or {@code false} at a path; see {@link #set(String, JsonNode)}. */
    public Record set(String path, boolean value) {
        return set(path, JsonNodeFactory.instance.booleanNode(value));
    }

    /**
     * Sets the value at a path, creating missing objects on the way. An array index may name an
     * existing element or the next one (appending); anything else throws.
     */
    public Record set(String path, JsonNode value) {
        modified = true;
        List<Object> segments = FieldPath.parse(path).segments;
        JsonNode parent = json;
        for (int i = 0; i < segments.size() - 1; i++) {
            Object segment = segments.get(i);
            JsonNode child = segment instanceof String name ? parent.get(name) : parent.get((Integer) segment);
            if (child == null || child.isNull()) {
                child = segments.get(i + 1) instanceof String
                        ? JsonNodeFactory.instance.objectNode()
                        : JsonNodeFactory.instance.arrayNode();
                put(parent, segment, child, path);
            } else if (!child.isContainerNode()) {
                throw new IllegalArgumentException("cannot set '" + path + "': part of the path is "
                        + child.getNodeType().name().toLowerCase(Locale.ROOT) + ", not an object or array");
            }
            parent = child;
        }
        put(parent, segments.get(segments.size() - 1), value, path);
        return this;
    }

    private static void put(JsonNode parent, Object segment, JsonNode value, String path) {
        if (segment instanceof String name) {
            if (!parent.isObject()) {
                throw new IllegalArgumentException("cannot set '" + path + "': '" + name + "' is not in an object");
            }
            ((ObjectNode) parent).set(name, value);
            return;
        }
        int index = (Integer) segment;
        if (!parent.isArray()) {
            throw new IllegalArgumentException("cannot set '" + path + "': [" + index + "] is not in an array");
        }
        ArrayNode array = (ArrayNode) parent;
        if (index < array.size()) {
            array.set(index, value);
        } else if (index == array.size()) {
            array.add(value);
        } else {
            throw new IllegalArgumentException(
                    "cannot set '" + path + "': index " + index + " is past the end (" + array.size() + " elements)");
        }
    }

    /** Removes the value at a path; nothing happens when it is absent. */
    public Record remove(String path) {
        modified = true;
        List<Object> segments = FieldPath.parse(path).segments;
        JsonNode parent = json;
        for (int i = 0; i < segments.size() - 1 && parent != null; i++) {
            Object segment = segments.get(i);
            parent = segment instanceof String name ? parent.get(name) : parent.get((Integer) segment);
        }
        Object last = segments.get(segments.size() - 1);
        if (parent instanceof ObjectNode object && last instanceof String name) {
            object.remove(name);
        } else if (parent instanceof ArrayNode array && last instanceof Integer index && index < array.size()) {
            array.remove(index);
        }
        return this;
    }

    /** An independent deep copy with the same metadata, e.g. to emit several variants of one input. */
    public Record copy() {
        return new Record(json.deepCopy(), metadata);
    }

    /** This record's JSON with other metadata (the test driver gives its input the metadata it was told). */
    Record withMetadata(RecordMetadata newMetadata) {
        return new Record(json, newMetadata);
    }

    private JsonNode present(String path) {
        JsonNode value = find(path);
        return value == null || value.isNull() ? null : value;
    }

    private static IllegalArgumentException wrongType(String path, JsonNode value, String expected) {
        String text = value.toString();
        return new IllegalArgumentException("field '" + path + "' is "
                + (text.length() > 40 ? text.substring(0, 37) + "..." : text) + ", not " + expected);
    }

    /** The record as compact JSON. */
    @Override
    public String toString() {
        return json.toString();
    }

    /** Records are equal when their JSON is; metadata is not compared. */
    @Override
    public boolean equals(Object other) {
        return other instanceof Record r && r.json.equals(json);
    }

    @Override
    public int hashCode() {
        return json.hashCode();
    }
}

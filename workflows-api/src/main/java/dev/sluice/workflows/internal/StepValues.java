package dev.sluice.workflows.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns step results into {@link StepValue}s and back. A result is read back as the type it had, so a
 * step returns the same thing on its first run and on every replay; the first run already returns the
 * read-back copy, so a type that does not survive the trip fails there, not weeks later on a replay.
 */
public final class StepValues {
    /** The largest result a step may record, as JSON. */
    public static final int MAX_RESULT_BYTES = 1 << 20;

    public static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private StepValues() {}

    /** The value as JSON with its type; throws {@link ResultException} when it cannot be recorded. */
    public static StepValue encode(Object value) {
        if (value == null) {
            return StepValue.NULL;
        }
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new ResultException(
                    "cannot be written as JSON (" + value.getClass().getName() + "): " + e.getOriginalMessage());
        }
        if (bytes.length > MAX_RESULT_BYTES) {
            throw new ResultException("is " + bytes.length + " bytes of JSON; a step result may be at most "
                    + MAX_RESULT_BYTES + " bytes (1 MiB): store large data elsewhere and return a reference");
        }
        try {
            return new StepValue(typeName(value), JSON.readTree(bytes));
        } catch (IOException e) {
            throw new ResultException("cannot be read back: " + e.getMessage());
        }
    }

    /** Any value (a workflow's output) as JSON, or null. */
    public static JsonNode toJson(Object value) {
        return value == null ? null : JSON.valueToTree(value);
    }

    private static String typeName(Object value) {
        if (value instanceof JsonNode) {
            return value.getClass().getName();
        }
        if (value instanceof Map) {
            return Map.class.getName();
        }
        if (value instanceof List) {
            return List.class.getName();
        }
        if (value instanceof Set) {
            return Set.class.getName();
        }
        return value.getClass().getName();
    }

    /** The value as its recorded type, loading the class from {@code loader} (the workflow's). */
    public static Object decode(StepValue value, ClassLoader loader) {
        if (value == null
                || value.type() == null
                || value.value() == null
                || (value.value().isNull() && !isJsonNode(value.type()))) {
            return null;
        }
        try {
            Class<?> type = Class.forName(value.type(), false, loader);
            if (JsonNode.class.isAssignableFrom(type)) {
                return value.value().deepCopy();
            }
            return JSON.treeToValue(value.value(), type);
        } catch (ClassNotFoundException e) {
            throw new ResultException("was recorded as " + value.type() + ", a class this workflow cannot load");
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new ResultException("cannot be read back as " + value.type() + ": " + e.getMessage()
                    + " (give the step a TypeReference, or return a type Jackson can read)");
        }
    }

    /** The value as {@code type}. */
    public static <T> T decode(StepValue value, TypeReference<T> type) {
        if (value == null || value.value() == null) {
            return null;
        }
        try {
            return JSON.convertValue(value.value(), type);
        } catch (IllegalArgumentException e) {
            throw new ResultException("cannot be read back as " + type.getType().getTypeName() + ": " + e.getMessage());
        }
    }

    private static boolean isJsonNode(String type) {
        return type.startsWith("com.fasterxml.jackson.databind.node.");
    }

    /** A result that cannot be recorded; fails its step at once, as retrying would give the same. */
    public static final class ResultException extends RuntimeException {
        ResultException(String message) {
            super(message);
        }
    }
}

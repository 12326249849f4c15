package dev.sluice.workflows.internal;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A recorded step result: its JSON and the Java type to read it back as (null for null).
 *
 * @param type  a class name, or {@code java.util.Map} / {@code java.util.List} / {@code java.util.Set} for those
 * @param value the JSON
 */
public record StepValue(String type, JsonNode value) {
    public static final StepValue NULL = new StepValue(null, null);
}

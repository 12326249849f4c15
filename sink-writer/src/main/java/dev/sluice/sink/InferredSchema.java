package dev.sluice.sink;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.config.SchemaConfig;
import dev.sluice.config.SchemaConfig.Field;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A pipeline's Parquet columns under {@code schema: infer}. It only grows: a batch that brings new
 * top-level fields adds them as nullable columns (typed by what the batch holds: numbers widen to
 * float64, mixed kinds to string, nested objects and arrays become JSON strings), and every later
 * file has every column so far. A column's type never changes; a later value that does not fit it
 * sends its record to the dead-letter topic. The schema is kept in the sink's state topic so that it
 * survives restarts.
 */
final class InferredSchema {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<Field> columns = new ArrayList<>();

    /** The columns after adding the ones a batch brings; {@code seen} maps each field of the batch to its type. */
    synchronized List<Field> extend(Map<String, SchemaConfig.Type> seen) {
        Map<String, Field> known = new LinkedHashMap<>();
        columns.forEach(c -> known.put(c.name(), c));
        seen.forEach((name, type) -> {
            if (!known.containsKey(name)) {
                Field column = new Field(name, type, false);
                columns.add(column);
                known.put(name, column);
            }
        });
        return List.copyOf(columns);
    }

    synchronized List<Field> columns() {
        return List.copyOf(columns);
    }

    /** Adds the columns of a schema found in the state topic (written by this or another sink instance). */
    void merge(byte[] stored) {
        List<Field> fields;
        try {
            fields = JSON.readValue(stored, new TypeReference<List<Field>>() {});
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable inferred schema in the sink state", e);
        }
        Map<String, SchemaConfig.Type> seen = new LinkedHashMap<>();
        fields.forEach(f -> seen.put(f.name(), f.type()));
        extend(seen);
    }

    synchronized byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(columns);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

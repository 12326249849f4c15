package dev.sluice.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Checks records against a pipeline's {@link SchemaConfig}. One implementation serves ingest
 * (a mismatch is a 400) and the processor (a mismatch goes to the dead-letter topic).
 *
 * <pre>{@code
 * String problem = RecordSchema.of(pipeline.schema()).mismatch(record);   // null when it fits
 * }</pre>
 */
public final class RecordSchema {
    private static final RecordSchema ANY = new RecordSchema(List.of());

    private final List<SchemaConfig.Field> fields;

    private RecordSchema(List<SchemaConfig.Field> fields) {
        this.fields = fields;
    }

    /** The schema's checker; a null or inferred schema accepts every JSON object. */
    public static RecordSchema of(SchemaConfig schema) {
        return schema == null || schema.fields().isEmpty() ? ANY : new RecordSchema(schema.fields());
    }

    public boolean acceptsAnything() {
        return fields.isEmpty();
    }

    /** Why the record does not fit, naming the field, or null when it fits. */
    public String mismatch(ObjectNode record) {
        return mismatch(fields, record, "");
    }

    private static String mismatch(List<SchemaConfig.Field> fields, JsonNode record, String path) {
        for (SchemaConfig.Field field : fields) {
            String name = path + field.name();
            JsonNode value = record.get(field.name());
            if (value == null || value.isNull()) {
                if (field.required()) {
                    return "field '" + name + "' is required";
                }
                continue;
            }
            if (!fits(field.type(), value)) {
                return "field '" + name + "' must be " + field.type().yamlName() + ", got " + describe(value);
            }
            if (field.type() == SchemaConfig.Type.STRUCT) {
                String nested = mismatch(field.fields(), value, name + ".");
                if (nested != null) {
                    return nested;
                }
            }
        }
        return null;
    }

    private static boolean fits(SchemaConfig.Type type, JsonNode value) {
        return switch (type) {
            case STRING -> value.isTextual();
            case INT32 -> value.isIntegralNumber() && value.canConvertToInt();
            case INT64 -> value.isIntegralNumber() && value.canConvertToLong();
            case FLOAT32, FLOAT64 -> value.isNumber();
            case BOOL -> value.isBoolean();
            case TIMESTAMP ->
                (value.isIntegralNumber() && value.canConvertToLong())
                        || (value.isTextual() && Timestamps.isTimestamp(value.asText()));
            case JSON -> true;
            case STRUCT -> value.isObject();
        };
    }

    private static String describe(JsonNode value) {
        if (value.isTextual()) {
            return "string \"" + abbreviate(value.asText()) + "\"";
        }
        if (value.isIntegralNumber()) {
            return "integer " + abbreviate(value.asText());
        }
        if (value.isNumber()) {
            return "number " + abbreviate(value.asText());
        }
        if (value.isBoolean()) {
            return "boolean";
        }
        return value.isArray() ? "array" : "object";
    }

    /** A value as an error message shows it: at most 40 characters, so a huge field cannot flood a response or a log. */
    public static String abbreviate(String text) {
        return text.length() <= 40 ? text : text.substring(0, 37) + "...";
    }
}

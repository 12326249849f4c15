package dev.sluice.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The fields a pipeline's records must have, or {@code schema: infer}. Fields not listed are allowed.
 * Checked at ingest (a mismatch is a 400 naming the record and field) and by the processor for records
 * that producers wrote to Kafka directly (a mismatch goes to the dead-letter topic). A Parquet sink
 * writes exactly the declared columns; with {@code infer} it derives them from the data.
 *
 * <pre>{@code
 * schema:
 *   fields:
 *     - { name: id,  type: string, required: true }
 *     - { name: ts,  type: timestamp }
 *     - { name: geo, type: struct, fields: [ { name: lat, type: float64 }, { name: lon, type: float64 } ] }
 * }</pre>
 *
 * @param fields the declared fields; empty with {@code infer}
 * @param infer  {@code schema: infer}: no fields are checked, and a Parquet sink infers its columns
 */
public record SchemaConfig(List<Field> fields, boolean infer) {

    /** {@code schema: infer}. */
    public static final SchemaConfig INFER = new SchemaConfig(List.of(), true);

    public SchemaConfig {
        fields = fields == null ? List.of() : List.copyOf(fields);
    }

    @JsonCreator(mode = JsonCreator.Mode.PROPERTIES)
    public SchemaConfig(@JsonProperty("fields") List<Field> fields) {
        this(fields, false);
    }

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static SchemaConfig fromText(String text) {
        if ("infer".equals(text)) {
            return INFER;
        }
        throw new IllegalArgumentException("'" + text + "' is not a schema: write infer, or fields: [...]");
    }

    /**
     * One declared field: its name and type, whether it must be set, and for a struct its own fields.
     *
     * @param name     top-level field name
     * @param type     expected JSON type
     * @param required the field must be present and not null (default false)
     * @param fields   the nested fields of a {@code struct}
     */
    public record Field(String name, Type type, Boolean required, List<Field> fields) {
        public Field {
            required = required != null && required;
            fields = fields == null ? List.of() : List.copyOf(fields);
        }

        public Field(String name, Type type, Boolean required) {
            this(name, type, required, null);
        }
    }

    public enum Type {
        STRING,
        INT32,
        INT64,
        FLOAT32,
        FLOAT64,
        BOOL,
        TIMESTAMP,
        JSON,
        STRUCT;

        @JsonCreator
        static Type parse(String text) {
            try {
                return valueOf(text.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "'" + text
                                + "' is not a field type (string, int32, int64, float32, float64, bool, timestamp, json, struct)");
            }
        }

        @JsonValue
        public String yamlName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    void validate(String at) {
        validateFields(fields, at);
    }

    private static void validateFields(List<Field> fields, String at) {
        Set<String> names = new HashSet<>();
        for (int i = 0; i < fields.size(); i++) {
            Field field = fields.get(i);
            String fat = at + ".fields[" + i + "]";
            if (field.name() == null || field.name().isEmpty()) {
                throw new ConfigException(fat + ".name", "is required");
            }
            if (!names.add(field.name())) {
                throw new ConfigException(fat + ".name", "field '" + field.name() + "' is declared twice");
            }
            if (field.type() == null) {
                throw new ConfigException(fat + ".type", "is required");
            }
            if (field.type() == Type.STRUCT) {
                if (field.fields().isEmpty()) {
                    throw new ConfigException(fat + ".fields", "a struct needs its fields");
                }
                validateFields(field.fields(), fat);
            } else if (!field.fields().isEmpty()) {
                throw new ConfigException(
                        fat + ".fields",
                        "only a struct has fields; this field is "
                                + field.type().yamlName());
            }
        }
    }
}

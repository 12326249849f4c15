package dev.sluice.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.List;
import java.util.Locale;

/**
 * The fields a pipeline's records must have. Fields not listed are allowed. Checked at ingest
 * (a mismatch is a 400 naming the record and field) and by the processor for records that
 * producers wrote to Kafka directly (a mismatch goes to the dead-letter topic).
 *
 * @param fields the declared fields
 */
public record SchemaConfig(List<Field> fields) {

    public SchemaConfig {
        fields = fields == null ? List.of() : List.copyOf(fields);
    }

    /**
     * @param name     top-level field name
     * @param type     expected JSON type
     * @param required the field must be present and not null (default false)
     */
    public record Field(String name, Type type, Boolean required) {
        public Field {
            required = required != null && required;
        }
    }

    public enum Type {
        STRING, INT32, INT64, FLOAT32, FLOAT64, BOOL, TIMESTAMP, JSON;

        @JsonCreator
        static Type parse(String text) {
            try {
                return valueOf(text.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("'" + text
                        + "' is not a field type (string, int32, int64, float32, float64, bool, timestamp, json)");
            }
        }

        @JsonValue
        public String yamlName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}

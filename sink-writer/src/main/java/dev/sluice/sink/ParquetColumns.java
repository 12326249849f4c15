package dev.sluice.sink;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.config.SchemaConfig.Field;
import dev.sluice.config.SchemaConfig.Type;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type.Repetition;
import org.apache.parquet.schema.Types;

/**
 * How JSON records become Parquet rows: the Parquet type of each schema field, and the coercion of a
 * JSON value to it. {@code timestamp} is an INT64 TIMESTAMP(MICROS, UTC) column (a timestamp in
 * DuckDB, Spark, Trino); {@code json} and values that only fit as text are strings holding the JSON;
 * {@code struct} is a group. A row is an {@code Object[]} in field order, null where the record has
 * no value.
 */
final class ParquetColumns {
    private ParquetColumns() {}

    /** A value that does not fit its column; the record goes to the dead-letter topic with the message. */
    static final class Mismatch extends Exception {
        Mismatch(String message) {
            super(message, null, false, false);
        }
    }

    static MessageType messageType(List<Field> fields) {
        Types.MessageTypeBuilder message = Types.buildMessage();
        for (Field field : fields) {
            message.addField(type(field));
        }
        return message.named("record");
    }

    private static org.apache.parquet.schema.Type type(Field field) {
        Repetition repetition = field.required() ? Repetition.REQUIRED : Repetition.OPTIONAL;
        return switch (field.type()) {
            case STRING, JSON -> Types.primitive(PrimitiveTypeName.BINARY, repetition)
                    .as(LogicalTypeAnnotation.stringType()).named(field.name());
            case INT32 -> Types.primitive(PrimitiveTypeName.INT32, repetition).named(field.name());
            case INT64 -> Types.primitive(PrimitiveTypeName.INT64, repetition).named(field.name());
            case FLOAT32 -> Types.primitive(PrimitiveTypeName.FLOAT, repetition).named(field.name());
            case FLOAT64 -> Types.primitive(PrimitiveTypeName.DOUBLE, repetition).named(field.name());
            case BOOL -> Types.primitive(PrimitiveTypeName.BOOLEAN, repetition).named(field.name());
            case TIMESTAMP -> Types.primitive(PrimitiveTypeName.INT64, repetition)
                    .as(LogicalTypeAnnotation.timestampType(true, LogicalTypeAnnotation.TimeUnit.MICROS)).named(field.name());
            case STRUCT -> {
                Types.GroupBuilder<org.apache.parquet.schema.GroupType> group = Types.buildGroup(repetition);
                for (Field child : field.fields()) {
                    group.addField(type(child));
                }
                yield group.named(field.name());
            }
        };
    }

    /** The row of one record; fields the schema does not name are left out. */
    static Object[] row(List<Field> fields, JsonNode record, String path) throws Mismatch {
        Object[] row = new Object[fields.size()];
        for (int i = 0; i < row.length; i++) {
            Field field = fields.get(i);
            JsonNode value = record.get(field.name());
            if (value == null || value.isNull()) {
                if (field.required()) {
                    throw new Mismatch("field '" + path + field.name() + "' is required");
                }
                continue;
            }
            row[i] = value(field, value, path);
        }
        return row;
    }

    private static Object value(Field field, JsonNode value, String path) throws Mismatch {
        switch (field.type()) {
            case STRING:
                return Binary.fromString(value.isTextual() ? value.textValue() : value.toString());
            case JSON:
                return Binary.fromString(value.toString());
            case INT32:
                if (value.isIntegralNumber() && value.canConvertToInt() || value.isFloatingPointNumber()
                        && value.doubleValue() == Math.rint(value.doubleValue()) && value.canConvertToInt()) {
                    return value.intValue();
                }
                break;
            case INT64:
                if (value.isIntegralNumber() && value.canConvertToLong() || value.isFloatingPointNumber()
                        && value.doubleValue() == Math.rint(value.doubleValue()) && value.canConvertToLong()) {
                    return value.longValue();
                }
                break;
            case FLOAT32:
                if (value.isNumber()) {
                    return value.floatValue();
                }
                break;
            case FLOAT64:
                if (value.isNumber()) {
                    return value.doubleValue();
                }
                break;
            case BOOL:
                if (value.isBoolean()) {
                    return value.booleanValue();
                }
                break;
            case TIMESTAMP:
                if (value.isIntegralNumber() && value.canConvertToLong()) {
                    return Math.multiplyExact(value.longValue(), 1000L); // epoch millis
                }
                if (value.isTextual()) {
                    Long micros = timestampMicros(value.textValue());
                    if (micros != null) {
                        return micros;
                    }
                }
                break;
            case STRUCT:
                if (value.isObject()) {
                    Object[] nested = row(field.fields(), value, path + field.name() + ".");
                    for (Object v : nested) {
                        if (v != null) {
                            return nested;
                        }
                    }
                    return null; // no field of the struct is set: the struct is null
                }
                break;
            default:
                break;
        }
        throw new Mismatch("field '" + path + field.name() + "' is " + field.type().yamlName()
                + " in the Parquet schema; " + describe(value) + " does not fit");
    }

    /** Epoch micros of an ISO-8601 timestamp with a zone, or null when the text is not one. */
    static Long timestampMicros(String text) {
        // Cheap shape check first: most strings are not timestamps, and a failed parse costs an exception.
        if (text.length() < 20 || text.charAt(4) != '-' || text.charAt(10) != 'T') {
            return null;
        }
        Instant instant;
        try {
            instant = Instant.parse(text);
        } catch (DateTimeParseException e) {
            try {
                instant = OffsetDateTime.parse(text).toInstant();
            } catch (DateTimeParseException e2) {
                return null;
            }
        }
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1000);
    }

    private static String describe(JsonNode value) {
        String text = value.toString();
        String shown = text.length() <= 40 ? text : text.substring(0, 37) + "...";
        return (value.isTextual() ? "string " : value.isNumber() ? "number " : value.isBoolean() ? "boolean "
                : value.isArray() ? "array " : "object ") + shown;
    }

    /** Writes one row's fields to a record consumer, between its startMessage/endMessage or startGroup/endGroup. */
    static void write(RecordConsumer out, List<Field> fields, Object[] row) {
        for (int i = 0; i < row.length; i++) {
            Object v = row[i];
            if (v == null) {
                continue;
            }
            Field field = fields.get(i);
            out.startField(field.name(), i);
            switch (field.type()) {
                case STRING, JSON -> out.addBinary((Binary) v);
                case INT32 -> out.addInteger((Integer) v);
                case INT64, TIMESTAMP -> out.addLong((Long) v);
                case FLOAT32 -> out.addFloat((Float) v);
                case FLOAT64 -> out.addDouble((Double) v);
                case BOOL -> out.addBoolean((Boolean) v);
                case STRUCT -> {
                    out.startGroup();
                    write(out, field.fields(), (Object[]) v);
                    out.endGroup();
                }
            }
            out.endField(field.name(), i);
        }
    }

    /** The type inference sees in one JSON value; {@code timestampField} integers count as epoch millis. */
    static Type observe(JsonNode value, boolean isTimestampField) {
        if (value.isBoolean()) {
            return Type.BOOL;
        }
        if (value.isIntegralNumber()) {
            return isTimestampField && value.canConvertToLong() ? Type.TIMESTAMP
                    : value.canConvertToLong() ? Type.INT64 : Type.FLOAT64;
        }
        if (value.isNumber()) {
            return Type.FLOAT64;
        }
        if (value.isTextual()) {
            return timestampMicros(value.textValue()) != null ? Type.TIMESTAMP : Type.STRING;
        }
        return Type.JSON;
    }

    /** The narrowest type that holds values of both types. */
    static Type widen(Type a, Type b) {
        if (a == b) {
            return a;
        }
        if ((a == Type.INT64 || a == Type.FLOAT64) && (b == Type.INT64 || b == Type.FLOAT64)) {
            return Type.FLOAT64;
        }
        return Type.STRING; // a string column holds anything: scalars as text, objects and arrays as JSON
    }
}

package dev.sluice.sink;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.config.RecordSchema;
import dev.sluice.config.SchemaConfig;
import dev.sluice.config.SchemaConfig.Field;
import dev.sluice.config.Timestamps;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
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

    private static Type type(Field field) {
        Repetition repetition = field.required() ? Repetition.REQUIRED : Repetition.OPTIONAL;
        return switch (field.type()) {
            case STRING, JSON ->
                Types.primitive(PrimitiveTypeName.BINARY, repetition)
                        .as(LogicalTypeAnnotation.stringType())
                        .named(field.name());
            case INT32 -> Types.primitive(PrimitiveTypeName.INT32, repetition).named(field.name());
            case INT64 -> Types.primitive(PrimitiveTypeName.INT64, repetition).named(field.name());
            case FLOAT32 -> Types.primitive(PrimitiveTypeName.FLOAT, repetition).named(field.name());
            case FLOAT64 ->
                Types.primitive(PrimitiveTypeName.DOUBLE, repetition).named(field.name());
            case BOOL -> Types.primitive(PrimitiveTypeName.BOOLEAN, repetition).named(field.name());
            case TIMESTAMP ->
                Types.primitive(PrimitiveTypeName.INT64, repetition)
                        .as(LogicalTypeAnnotation.timestampType(true, LogicalTypeAnnotation.TimeUnit.MICROS))
                        .named(field.name());
            case STRUCT -> {
                Types.GroupBuilder<GroupType> group = Types.buildGroup(repetition);
                for (Field child : field.fields()) {
                    group.addField(type(child));
                }
                yield group.named(field.name());
            }
        };
    }

    /** Fields with an index by name, so a record's fields are found in whatever order they come. */
    static final class Columns {
        final List<Field> fields;
        private final Map<String, Integer> index = new HashMap<>();
        private final Columns[] nested;

        Columns(List<Field> fields) {
            this.fields = fields;
            this.nested = new Columns[fields.size()];
            for (int i = 0; i < fields.size(); i++) {
                index.put(fields.get(i).name(), i);
                if (fields.get(i).type() == SchemaConfig.Type.STRUCT) {
                    nested[i] = new Columns(fields.get(i).fields());
                }
            }
        }
    }

    /**
     * The row of one record, read by streaming over it (no tree is built); fields the schema does not
     * name are skipped.
     *
     * @param parser positioned on the record's START_OBJECT
     * @param json   the record's bytes, for the text of values kept as JSON
     */
    static Object[] row(Columns columns, JsonParser parser, byte[] json, String path) throws Mismatch, IOException {
        Object[] row = new Object[columns.fields.size()];
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            Integer i = columns.index.get(parser.currentName());
            JsonToken token = parser.nextToken();
            if (i == null) {
                parser.skipChildren();
            } else if (token != JsonToken.VALUE_NULL) {
                row[i] = value(columns.fields.get(i), columns.nested[i], token, parser, json, path);
            }
        }
        for (int i = 0; i < row.length; i++) {
            if (row[i] == null && columns.fields.get(i).required()) {
                throw new Mismatch("field '" + path + columns.fields.get(i).name() + "' is required");
            }
        }
        return row;
    }

    private static Object value(
            Field field, Columns nested, JsonToken token, JsonParser parser, byte[] json, String path)
            throws Mismatch, IOException {
        boolean integer = token == JsonToken.VALUE_NUMBER_INT;
        boolean number = integer || token == JsonToken.VALUE_NUMBER_FLOAT;
        switch (field.type()) {
            case STRING -> {
                return Binary.fromString(
                        token == JsonToken.VALUE_STRING ? parser.getText() : text(token, parser, json));
            }
            case JSON -> {
                return Binary.fromString(text(token, parser, json));
            }
            case INT32 -> {
                if (integer && parser.getNumberType() == JsonParser.NumberType.INT) {
                    return parser.getIntValue();
                }
                if (token == JsonToken.VALUE_NUMBER_FLOAT
                        && isWhole(parser.getDoubleValue(), Integer.MIN_VALUE, Integer.MAX_VALUE)) {
                    return (int) parser.getDoubleValue();
                }
            }
            case INT64 -> {
                if (integer && parser.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
                    return parser.getLongValue();
                }
                if (token == JsonToken.VALUE_NUMBER_FLOAT
                        && isWhole(parser.getDoubleValue(), Long.MIN_VALUE, Long.MAX_VALUE)) {
                    return (long) parser.getDoubleValue();
                }
            }
            case FLOAT32 -> {
                if (number) {
                    return parser.getFloatValue();
                }
            }
            case FLOAT64 -> {
                if (number) {
                    return parser.getDoubleValue();
                }
            }
            case BOOL -> {
                if (token == JsonToken.VALUE_TRUE || token == JsonToken.VALUE_FALSE) {
                    return token == JsonToken.VALUE_TRUE;
                }
            }
            case TIMESTAMP -> {
                if (integer
                        && parser.getNumberType() != JsonParser.NumberType.BIG_INTEGER
                        && Math.abs(parser.getLongValue()) < Long.MAX_VALUE / 1000) {
                    return parser.getLongValue() * 1000L; // epoch millis
                }
                if (token == JsonToken.VALUE_STRING) {
                    Long micros = Timestamps.epochMicros(parser.getText());
                    if (micros != null) {
                        return micros;
                    }
                }
            }
            case STRUCT -> {
                if (token == JsonToken.START_OBJECT) {
                    Object[] values = row(nested, parser, json, path + field.name() + ".");
                    for (Object v : values) {
                        if (v != null) {
                            return values;
                        }
                    }
                    return null; // no field of the struct is set: the struct is null
                }
            }
        }
        // the value does not fit the column's type
        String shown = RecordSchema.abbreviate(text(token, parser, json));
        throw new Mismatch("field '" + path + field.name() + "' is "
                + field.type().yamlName() + " in the Parquet schema; " + kind(token) + " " + shown + " does not fit");
    }

    private static boolean isWhole(double d, double min, double max) {
        return d == Math.rint(d) && d >= min && d <= max;
    }

    /** The value's JSON text as it stands in the record (objects and arrays whole). */
    private static String text(JsonToken token, JsonParser parser, byte[] json) throws IOException {
        int start = (int) parser.currentTokenLocation().getByteOffset();
        if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
            parser.skipChildren();
        } else if (token == JsonToken.VALUE_STRING) {
            parser.finishToken(); // strings are read lazily; the end is known only once it is
        }
        int end = (int) parser.currentLocation().getByteOffset();
        return new String(json, start, end - start, StandardCharsets.UTF_8);
    }

    private static String kind(JsonToken token) {
        return switch (token) {
            case VALUE_STRING -> "string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "number";
            case VALUE_TRUE, VALUE_FALSE -> "boolean";
            case START_ARRAY -> "array";
            default -> "object";
        };
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

    /**
     * The type inference sees in one JSON value; integers in the timestamp field ({@code isTimestampField})
     * count as epoch millis.
     */
    static SchemaConfig.Type observe(JsonNode value, boolean isTimestampField) {
        if (value.isBoolean()) {
            return SchemaConfig.Type.BOOL;
        }
        if (value.isIntegralNumber()) {
            return isTimestampField && value.canConvertToLong()
                    ? SchemaConfig.Type.TIMESTAMP
                    : value.canConvertToLong() ? SchemaConfig.Type.INT64 : SchemaConfig.Type.FLOAT64;
        }
        if (value.isNumber()) {
            return SchemaConfig.Type.FLOAT64;
        }
        if (value.isTextual()) {
            return Timestamps.isTimestamp(value.textValue()) ? SchemaConfig.Type.TIMESTAMP : SchemaConfig.Type.STRING;
        }
        return SchemaConfig.Type.JSON;
    }

    /** The narrowest type that holds values of both types. */
    static SchemaConfig.Type widen(SchemaConfig.Type a, SchemaConfig.Type b) {
        if (a == b) {
            return a;
        }
        if ((a == SchemaConfig.Type.INT64 || a == SchemaConfig.Type.FLOAT64)
                && (b == SchemaConfig.Type.INT64 || b == SchemaConfig.Type.FLOAT64)) {
            return SchemaConfig.Type.FLOAT64;
        }
        return SchemaConfig.Type.STRING; // a string column holds anything: scalars as text, objects and arrays as JSON
    }
}

package dev.sluice.sink;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.sluice.config.SinkConfig;
import dev.sluice.config.Timestamps;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where an object goes: {@code {prefix}/{field=value/…}{time folders}/{ULID}.{ext}}, e.g.
 * {@code events/merchantId=42/year=2026/month=11/day=22/hour=13/01JD….json.gz}. Time folders come
 * from {@code timePartition} in UTC, applied to the record's {@code timestampField} (ISO-8601 with a
 * zone, or epoch millis) or, when that is absent or unreadable, to the ingest time. {@code key=value}
 * folders are Hive partitions, which DuckDB, Spark, Trino, ClickHouse and Athena read as columns.
 */
public final class ObjectKeyLayout {
    /** The value folder of a missing, null or empty partition field. */
    public static final String NULL_VALUE = "__null__";

    private static final long MINUTE_MILLIS = 60_000L;
    private static final JsonFactory JSON = new JsonFactory();

    private final String prefix;
    private final List<Object> timeParts;
    private final String timestampField;
    private final List<String> partitionBy;
    // Records arrive roughly in time order, so the last minute's time folders are reused.
    private long cachedMinute = Long.MIN_VALUE;
    private String cachedTime;

    private final Spec spec;

    public ObjectKeyLayout(SinkConfig sink) {
        this(new Spec(sink.prefix(), sink.timePartition(), sink.timestampField(), sink.partitionBy()));
    }

    public ObjectKeyLayout(Spec spec) {
        this.spec = spec;
        this.prefix = spec.prefix();
        this.timeParts = compile(spec.timePartition());
        this.timestampField = spec.timestampField();
        this.partitionBy = spec.partitionBy();
    }

    /**
     * Everything that decides where a record goes. Batches record it, so that a batch rebuilt after a
     * crash selects its records exactly as it did when it was cut, whatever the configuration says now.
     */
    public record Spec(String prefix, String timePartition, String timestampField, List<String> partitionBy) {
        public Spec {
            partitionBy = partitionBy == null ? List.of() : List.copyOf(partitionBy);
        }
    }

    public Spec spec() {
        return spec;
    }

    /** Where one record goes, and the time that put it there. */
    public record Placement(String partition, long eventMillis) {}

    /** The partition folders of one record: field folders, then time folders. */
    public String partition(long ingestMillis, byte[] json) {
        return place(ingestMillis, json).partition();
    }

    /** The partition folders of one record and its event time ({@code timestampField}, else the ingest time). */
    public Placement place(long ingestMillis, byte[] json) {
        if (timestampField == null && partitionBy.isEmpty()) {
            return new Placement(timePartition(ingestMillis), ingestMillis);
        }
        Fields fields = Fields.scan(json, timestampField, partitionBy);
        long time = fields.eventMillis != null ? fields.eventMillis : ingestMillis;
        if (partitionBy.isEmpty()) {
            return new Placement(timePartition(time), time);
        }
        StringBuilder out = new StringBuilder();
        for (String field : partitionBy) {
            String value = fields.values.get(field);
            out.append(field)
                    .append('=')
                    .append(value == null || value.isEmpty() ? NULL_VALUE : escape(value))
                    .append('/');
        }
        String timeFolders = timePartition(time);
        if (timeFolders.isEmpty()) {
            out.setLength(out.length() - 1);
            return new Placement(out.toString(), time);
        }
        return new Placement(out.append(timeFolders).toString(), time);
    }

    /** The time folders for an instant, e.g. {@code year=2026/month=11/day=22/hour=13}. */
    public String timePartition(long epochMillis) {
        long minute = Math.floorDiv(epochMillis, MINUTE_MILLIS);
        if (minute != cachedMinute) {
            ZonedDateTime t = Instant.ofEpochMilli(minute * MINUTE_MILLIS).atZone(ZoneOffset.UTC);
            StringBuilder out = new StringBuilder();
            for (Object part : timeParts) {
                if (part instanceof String literal) {
                    out.append(literal);
                } else {
                    switch ((Character) part) {
                        case 'Y' -> out.append(String.format("%04d", t.getYear()));
                        case 'm' -> out.append(String.format("%02d", t.getMonthValue()));
                        case 'd' -> out.append(String.format("%02d", t.getDayOfMonth()));
                        case 'H' -> out.append(String.format("%02d", t.getHour()));
                        default -> out.append(String.format("%02d", t.getMinute()));
                    }
                }
            }
            cachedTime = out.toString();
            cachedMinute = minute;
        }
        return cachedTime;
    }

    /** The full object key for a batch of one partition. */
    public String key(String partition, String fileName, String extension) {
        String path = partition.isEmpty() ? fileName + extension : partition + "/" + fileName + extension;
        return prefix.isEmpty() ? path : prefix + "/" + path;
    }

    /**
     * Escapes a partition value the way Hive does (and Spark and Trino undo): {@code %XX} for
     * <code>/ = % # ? : * " ' \ { [ ] ^</code>, DEL and control characters. The result is also a safe S3 key segment.
     */
    static String escape(String value) {
        StringBuilder out = null;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean special = c < 0x20 || c == 0x7F || "/=%#?:*\"'\\{[]^".indexOf(c) >= 0;
            if (special) {
                if (out == null) {
                    out = new StringBuilder(value.length() + 8).append(value, 0, i);
                }
                out.append('%')
                        .append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? value : out.toString();
    }

    /** {@code %Y %m %d %H %M} become Characters, the rest literal Strings ({@code %%} a literal '%'). */
    private static List<Object> compile(String pattern) {
        List<Object> parts = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '%' && i + 1 < pattern.length()) {
                char code = pattern.charAt(++i);
                if (code == '%') {
                    literal.append('%');
                    continue;
                }
                if (literal.length() > 0) {
                    parts.add(literal.toString());
                    literal.setLength(0);
                }
                parts.add(code);
            } else {
                literal.append(c);
            }
        }
        if (literal.length() > 0) {
            parts.add(literal.toString());
        }
        return parts;
    }

    /** The few top-level fields the layout needs, read by streaming over the record. */
    private static final class Fields {
        Long eventMillis;
        final Map<String, String> values = new HashMap<>();

        static Fields scan(byte[] json, String timestampField, List<String> partitionBy) {
            Fields fields = new Fields();
            try (JsonParser parser = JSON.createParser(json)) {
                if (parser.nextToken() != JsonToken.START_OBJECT) {
                    return fields;
                }
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String name = parser.currentName();
                    JsonToken value = parser.nextToken();
                    boolean time = name.equals(timestampField);
                    boolean partition = partitionBy.contains(name);
                    if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) {
                        int start = (int) parser.currentTokenLocation().getByteOffset();
                        parser.skipChildren();
                        if (partition) {
                            int end = (int) parser.currentLocation().getByteOffset();
                            fields.values.put(name, new String(json, start, end - start, StandardCharsets.UTF_8));
                        }
                        continue;
                    }
                    if (time) {
                        fields.eventMillis = eventMillis(parser, value);
                    }
                    if (partition && value != JsonToken.VALUE_NULL) {
                        fields.values.put(name, parser.getText());
                    }
                }
            } catch (IOException e) {
                // The processor passed it as one JSON object; whatever could be read is used.
            }
            return fields;
        }

        private static Long eventMillis(JsonParser parser, JsonToken value) throws IOException {
            if (value == JsonToken.VALUE_NUMBER_INT) {
                return parser.getLongValue();
            }
            if (value != JsonToken.VALUE_STRING) {
                return null;
            }
            return Timestamps.epochMillis(parser.getText());
        }
    }
}

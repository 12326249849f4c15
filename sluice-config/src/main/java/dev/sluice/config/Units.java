package dev.sluice.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The units people write in {@code sluice.yaml}: sizes ({@code 512KB}, {@code 10MB}) and durations
 * ({@code 30s}, {@code 5m}). A value too large for its unit is refused, never wrapped around.
 */
public final class Units {
    private static final Pattern BYTES = Pattern.compile("(\\d+)\\s*(B|KB|MB|GB|KIB|MIB|GIB)?");
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(MS|S|M|H|D)?");

    private Units() {}

    /** Bytes from {@code 1048576}, {@code 512KB}, {@code 10MB} or {@code 1GB}; KB/MB/GB are powers of 1024 as in Kafka. */
    public static long parseBytes(String text) {
        Matcher m = BYTES.matcher(text.trim().toUpperCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException('"' + text + "\" is not a size (use e.g. 512KB, 10MB, 1GB)");
        }
        String unit = m.group(2) == null ? "B" : m.group(2);
        long multiplier = switch (unit) {
            case "B" -> 1;
            case "KB", "KIB" -> 1L << 10;
            case "MB", "MIB" -> 1L << 20;
            default -> 1L << 30;
        };
        try {
            return Math.multiplyExact(Long.parseLong(m.group(1)), multiplier);
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException('"' + text + "\" is too large a size");
        }
    }

    /** A duration from {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h} or {@code 7d}; a bare number means seconds. */
    public static Duration parseDuration(String text) {
        Matcher m = DURATION.matcher(text.trim().toUpperCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException('"' + text + "\" is not a duration (use e.g. 500ms, 30s, 5m, 1h, 7d)");
        }
        String unit = m.group(2) == null ? "S" : m.group(2);
        try {
            long n = Long.parseLong(m.group(1));
            return switch (unit) {
                case "MS" -> Duration.ofMillis(n);
                case "S" -> Duration.ofSeconds(n);
                case "M" -> Duration.ofMinutes(n);
                case "H" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException('"' + text + "\" is too long a duration");
        }
    }

    static final class BytesDeserializer extends JsonDeserializer<Long> {
        @Override
        public Long deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
            try {
                return parseBytes(p.getValueAsString());
            } catch (IllegalArgumentException e) {
                throw ctx.weirdStringException(p.getValueAsString(), Long.class, e.getMessage());
            }
        }
    }

    public static final class DurationDeserializer extends JsonDeserializer<Duration> {
        @Override
        public Duration deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
            try {
                return parseDuration(p.getValueAsString());
            } catch (IllegalArgumentException e) {
                throw ctx.weirdStringException(p.getValueAsString(), Duration.class, e.getMessage());
            }
        }
    }
}

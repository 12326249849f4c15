package dev.sluice.config;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * The one reading of a timestamp value in Sluice: ISO-8601 with a zone ({@code 2026-11-22T13:05:00Z},
 * {@code 2026-11-22T14:05:00.123+01:00}); epoch millis are numbers and handled by callers. Used by the
 * schema check, the layout's event time and Parquet timestamp columns, so they always agree.
 *
 * <pre>{@code
 * Long micros = Timestamps.epochMicros("2026-11-22T13:05:00.5Z");   // null when not a timestamp
 * }</pre>
 */
public final class Timestamps {
    private Timestamps() {}

    /** Epoch microseconds of an ISO-8601 timestamp with a zone, or null when the text is not one. */
    public static Long epochMicros(String text) {
        // Most strings are not timestamps, and a failed java.time parse costs an exception: check the shape first.
        if (text.length() < 17
                || text.charAt(4) != '-'
                || text.charAt(7) != '-'
                || text.charAt(10) != 'T'
                || text.charAt(13) != ':') {
            return null;
        }
        Long fast = text.length() >= 20 && text.charAt(16) == ':' ? fastPath(text) : null;
        return fast != null ? fast : slowPath(text);
    }

    /** Epoch milliseconds, or null when the text is not a timestamp. */
    public static Long epochMillis(String text) {
        Long micros = epochMicros(text);
        return micros == null ? null : Math.floorDiv(micros, 1000L);
    }

    public static boolean isTimestamp(String text) {
        return epochMicros(text) != null;
    }

    /**
     * {@code YYYY-MM-DDTHH:MM:SS[.f{1,9}](Z|±HH:MM)} with valid fields, computed without java.time; null
     * for anything else (the slow path decides those).
     */
    private static Long fastPath(String t) {
        int year = digits(t, 0, 4);
        int month = digits(t, 5, 2);
        int day = digits(t, 8, 2);
        int hour = digits(t, 11, 2);
        int minute = digits(t, 14, 2);
        int second = digits(t, 17, 2);
        if (year < 0
                || month < 1
                || month > 12
                || day < 1
                || day > daysIn(year, month)
                || hour > 23
                || hour < 0
                || minute > 59
                || minute < 0
                || second > 59
                || second < 0) {
            return null;
        }
        int i = 19;
        long micros = 0;
        if (i < t.length() && t.charAt(i) == '.') {
            int start = ++i;
            long fraction = 0;
            while (i < t.length() && Character.isDigit(t.charAt(i)) && i - start < 9) {
                fraction = fraction * 10 + (t.charAt(i) - '0');
                i++;
            }
            int places = i - start;
            if (places == 0 || (i < t.length() && Character.isDigit(t.charAt(i)))) {
                return null;
            }
            for (int p = places; p < 9; p++) {
                fraction *= 10;
            }
            micros = fraction / 1000;
        }
        int offsetSeconds;
        if (i == t.length() - 1 && t.charAt(i) == 'Z') {
            offsetSeconds = 0;
        } else if (i == t.length() - 6 && (t.charAt(i) == '+' || t.charAt(i) == '-') && t.charAt(i + 3) == ':') {
            int oh = digits(t, i + 1, 2);
            int om = digits(t, i + 4, 2);
            if (oh < 0 || oh > 18 || om < 0 || om > 59) {
                return null;
            }
            offsetSeconds = (t.charAt(i) == '-' ? -1 : 1) * (oh * 3600 + om * 60);
        } else {
            return null;
        }
        long epochSecond = epochDay(year, month, day) * 86_400L + hour * 3600L + minute * 60L + second - offsetSeconds;
        return epochSecond * 1_000_000L + micros;
    }

    private static Long slowPath(String text) {
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
        try {
            return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1000);
        } catch (ArithmeticException e) {
            return null;
        }
    }

    private static int digits(String t, int from, int count) {
        int value = 0;
        for (int i = from; i < from + count; i++) {
            char c = t.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static int daysIn(int year, int month) {
        return switch (month) {
            case 2 -> (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28;
            case 4, 6, 9, 11 -> 30;
            default -> 31;
        };
    }

    /** Days since 1970-01-01 of a proleptic Gregorian date (the civil-from-days inverse). */
    private static long epochDay(int year, int month, int day) {
        long y = month <= 2 ? year - 1 : year;
        long era = Math.floorDiv(y, 400);
        long yearOfEra = y - era * 400;
        long dayOfYear = (153L * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
        long dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
        return era * 146_097 + dayOfEra - 719_468;
    }
}

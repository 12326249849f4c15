package dev.sluice.sink;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;

/**
 * Where an object goes: {@code {prefix}/year=YYYY/month=MM/day=DD/hour=HH/{ULID}.{ext}}, with the
 * time in UTC. The {@code key=value} folders are Hive partitions, which DuckDB, Spark, Trino,
 * ClickHouse and Athena read as columns.
 */
public final class ObjectKeyLayout {
    private static final long HOUR_MILLIS = 3_600_000L;

    private final String prefix;
    // One pipeline's records arrive in time order mostly, so the last hour's folder is reused.
    private long cachedHour = Long.MIN_VALUE;
    private String cachedPartition;

    public ObjectKeyLayout(String prefix) {
        this.prefix = prefix;
    }

    /** The Hive partition folder of a record with this timestamp, e.g. {@code year=2026/month=11/day=22/hour=13}. */
    public String partition(long epochMillis) {
        long hour = Math.floorDiv(epochMillis, HOUR_MILLIS);
        if (hour != cachedHour) {
            ZonedDateTime t = Instant.ofEpochMilli(hour * HOUR_MILLIS).atZone(ZoneOffset.UTC);
            cachedPartition = String.format("year=%04d/month=%02d/day=%02d/hour=%02d",
                    t.getYear(), t.getMonthValue(), t.getDayOfMonth(), t.getHour());
            cachedHour = hour;
        }
        return cachedPartition;
    }

    /** The full object key for a batch of one partition. */
    public String key(String partition, String fileName, String extension) {
        return prefix.isEmpty()
                ? partition + "/" + fileName + extension
                : prefix + "/" + partition + "/" + fileName + extension;
    }
}

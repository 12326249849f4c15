package dev.sluice.sink;

import dev.sluice.config.BatchConfig;
import java.util.Optional;

/**
 * Decides when an open batch must be closed: at {@code maxBytes} uncompressed bytes, at
 * {@code maxRecords} records, or when its first record is {@code maxDuration} old, whichever
 * comes first. The sink asks after every append (size limits) and on a timer (age limit), so an
 * idle batch still closes on time.
 */
public record BatchPolicy(long maxBytes, long maxRecords, long maxAgeMillis) {

    public static BatchPolicy from(BatchConfig config) {
        return new BatchPolicy(
                config.maxBytes(), config.maxRecords(), config.maxDuration().toMillis());
    }

    /** The size limit a batch of this many bytes and records has reached, if any. */
    public Optional<CloseReason> sizeLimitReached(long bytes, long records) {
        if (records >= maxRecords) {
            return Optional.of(CloseReason.RECORDS);
        }
        if (bytes >= maxBytes) {
            return Optional.of(CloseReason.BYTES);
        }
        return Optional.empty();
    }

    public boolean isExpired(long openedAtMillis, long nowMillis) {
        return nowMillis - openedAtMillis >= maxAgeMillis;
    }
}

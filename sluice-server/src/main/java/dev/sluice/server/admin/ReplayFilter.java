package dev.sluice.server.admin;

import dev.sluice.wire.DeadLetterStage;
import dev.sluice.wire.SluiceHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Which dead letters a replay puts back; every field left null matches all.
 *
 * @param stage     where they failed ({@code sluice.error.stage})
 * @param transform the label of the transform that threw ({@code sluice.error.transform})
 * @param since     accepted at or after (the record's timestamp, its ingest time)
 * @param until     accepted before
 */
public record ReplayFilter(DeadLetterStage stage, String transform, Instant since, Instant until) {
    public static final ReplayFilter ALL = new ReplayFilter(null, null, null, null);

    public ReplayFilter {
        if (since != null && until != null && !since.isBefore(until)) {
            throw new IllegalArgumentException("since (" + since + ") must be before until (" + until + ")");
        }
    }

    /** The stage named by its wire name, as in the {@code sluice.error.stage} header. */
    public static DeadLetterStage stage(String wireName) {
        return Arrays.stream(DeadLetterStage.values())
                .filter(s -> s.wireName().equals(wireName))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("stage must be one of "
                        + Arrays.stream(DeadLetterStage.values())
                                .map(DeadLetterStage::wireName)
                                .toList()
                        + ", not '" + wireName + "'"));
    }

    boolean matches(Headers headers, long timestamp) {
        if (stage != null && !stage.wireName().equals(text(headers, SluiceHeaders.ERROR_STAGE))) {
            return false;
        }
        if (transform != null && !transform.equals(text(headers, SluiceHeaders.ERROR_TRANSFORM))) {
            return false;
        }
        if (since != null && timestamp < since.toEpochMilli()) {
            return false;
        }
        return until == null || timestamp < until.toEpochMilli();
    }

    static String text(Headers headers, String name) {
        Header h = headers.lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}

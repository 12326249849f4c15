package dev.sluice.wire;

import java.util.Locale;

/** How a record came into its pipeline; the {@link SluiceHeaders#SOURCE} header and the {@code source} metric tag. */
public enum Source {
    HTTP,
    WS,
    /** Written to the topic by a Kafka-protocol producer: such records carry no source header. */
    KAFKA,
    /** Re-ingested from objects in a bucket by a backfill ({@code POST /api/v1/pipelines/{p}/backfills}). */
    BACKFILL;

    private final String wireName = name().toLowerCase(Locale.ROOT);

    public String wireName() {
        return wireName;
    }
}

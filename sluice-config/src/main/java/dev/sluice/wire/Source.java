package dev.sluice.wire;

import java.util.Locale;

/** How a record came into its pipeline; the {@link SluiceHeaders#SOURCE} header and the {@code source} metric tag. */
public enum Source {
    HTTP,
    WS,
    /** Written to the topic by a Kafka-protocol producer: such records carry no source header. */
    KAFKA;

    private final String wireName = name().toLowerCase(Locale.ROOT);

    public String wireName() {
        return wireName;
    }
}

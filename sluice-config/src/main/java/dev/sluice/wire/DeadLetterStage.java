package dev.sluice.wire;

import java.util.Locale;

/** Where a record was dead-lettered; the {@link SluiceHeaders#ERROR_STAGE} header. */
public enum DeadLetterStage {
    /** Not a JSON object (a Kafka-protocol producer wrote it). */
    PARSE,
    /** Does not fit the pipeline's schema. */
    SCHEMA,
    /** A transform threw. */
    TRANSFORM,
    /** A {@code partitionBy} field is missing and {@code missingPartitionField: dlq}. */
    PARTITION,
    /** The sink's Parquet encoder could not write it. */
    PARQUET,
    /** Its request's {@code Idempotency-Key} was used before, within the window, for another body. */
    IDEMPOTENCY;

    private final String wireName = name().toLowerCase(Locale.ROOT);

    public String wireName() {
        return wireName;
    }
}

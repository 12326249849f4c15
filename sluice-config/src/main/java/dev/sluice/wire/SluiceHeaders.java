package dev.sluice.wire;

/** Kafka record headers Sluice writes and reads. Values are UTF-8 text. */
public final class SluiceHeaders {
    /**
     * Milliseconds since the epoch when Sluice accepted the record. Only records written before 2026-11-28 carry
     * it (the processor still reads it): the record's timestamp is the ingest time, and a header repeating it
     * cost every record 31 bytes and the producer an encoding.
     */
    public static final String INGEST_TIME = "sluice.ingest.time";
    /** How the record came in: a {@link Source} wire name; absent for Kafka-protocol producers. */
    public static final String SOURCE = "sluice.source";
    /** The id of the request that carried the record, also returned as {@code X-Request-Id}. */
    public static final String REQUEST_ID = "sluice.request.id";

    /**
     * The {@code Idempotency-Key} of the request that carried the record: records of a later request with the
     * same key (and another {@link #REQUEST_ID}) are retries, and the processor drops them.
     */
    public static final String IDEMPOTENCY_KEY = "sluice.idempotency.key";
    /**
     * Beside {@link #IDEMPOTENCY_KEY}: the CRC32C of the request's body, 8 hex digits, so that a key reused for
     * another body is told from a retry.
     */
    public static final String IDEMPOTENCY_DIGEST = "sluice.idempotency.digest";

    /** On a record a backfill re-ingested: the object it came from, {@code s3://bucket/key}. */
    public static final String BACKFILL_OF = "sluice.backfill.of";

    /** On a record a dead-letter replay put back: the dead letter it was, {@code {pipeline}.dlq/partition@offset}. */
    public static final String REPLAY_OF = "sluice.replay.of";

    /** What every header of a dead letter's reason starts with. */
    public static final String ERROR_PREFIX = "sluice.error.";

    /** On a dead letter: a {@link DeadLetterStage} wire name. */
    public static final String ERROR_STAGE = "sluice.error.stage";
    /** On a dead letter of the transform stage: the label of the transform that threw. */
    public static final String ERROR_TRANSFORM = "sluice.error.transform";
    /** On a dead letter of the processor: the exception class. */
    public static final String ERROR_EXCEPTION = "sluice.error.exception";
    /** On a dead letter: why, in words. */
    public static final String ERROR_MESSAGE = "sluice.error.message";

    private SluiceHeaders() {}
}

package dev.sluice.processor;

/** Headers on a record in {@code {pipeline}.dlq} that say why it is there. */
public final class DeadLetterHeaders {
    /**
     * {@code parse} (not a JSON object), {@code schema} (does not fit the pipeline's schema), {@code transform}
     * (a transform threw) or {@code partition} (a {@code partitionBy} field is missing and
     * {@code missingPartitionField: dlq}).
     */
    public static final String STAGE = "sluice.error.stage";
    /** The label of the transform that threw. */
    public static final String TRANSFORM = "sluice.error.transform";
    /** The exception class. */
    public static final String EXCEPTION = "sluice.error.exception";
    /** The exception message. */
    public static final String MESSAGE = "sluice.error.message";

    private DeadLetterHeaders() {}
}

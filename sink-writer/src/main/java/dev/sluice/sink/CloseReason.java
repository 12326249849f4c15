package dev.sluice.sink;

/** Why a batch was closed and written; appears in the log line of every object. */
public enum CloseReason {
    BYTES,
    RECORDS,
    DURATION,
    /** {@code sink.maxOpenBatches} open batches and a record for another partition: the oldest closes. */
    OPEN_BATCHES,
    SHUTDOWN,
    REBALANCE
}

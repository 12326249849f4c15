package dev.sluice.sink;

/** Why a batch was closed and written; appears in the log line of every object. */
public enum CloseReason {
    BYTES, RECORDS, DURATION, SHUTDOWN, REBALANCE
}

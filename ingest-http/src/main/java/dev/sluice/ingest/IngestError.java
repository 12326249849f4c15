package dev.sluice.ingest;

/**
 * A request the ingest refuses, answered as
 * {@code {"success":false,"error":{"code":"…","message":"…","index":i}}} with {@link #status}.
 * {@code index} is the 0-based position of the offending record, or -1 when no record is to blame.
 */
public final class IngestError extends RuntimeException {
    final int status;
    final String code;
    final int index;
    int retryAfterSeconds = -1;

    public IngestError(int status, String code, String message, int index) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.index = index;
    }

    public IngestError(int status, String code, String message) {
        this(status, code, message, -1);
    }

    /** Marks the error as temporary: HTTP answers with {@code Retry-After}, WebSocket with {@code retryAfterMs}. */
    IngestError retryAfter(int seconds) {
        this.retryAfterSeconds = seconds;
        return this;
    }
}

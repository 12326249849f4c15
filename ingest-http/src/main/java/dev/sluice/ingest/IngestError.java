package dev.sluice.ingest;

/**
 * A request the ingest refuses, answered as
 * {@code {"success":false,"error":{"code":"…","message":"…","index":i}}} with the code's status.
 * {@code index} is the 0-based position of the offending record, or -1 when no record is to blame.
 */
public final class IngestError extends RuntimeException {
    final ErrorCode code;
    final int index;
    int retryAfterSeconds = -1;

    public IngestError(ErrorCode code, String message, int index) {
        super(message, null, false, false);
        this.code = code;
        this.index = index;
    }

    public IngestError(ErrorCode code, String message) {
        this(code, message, -1);
    }

    public ErrorCode code() {
        return code;
    }

    int status() {
        return code.status();
    }

    /** Marks the error as temporary: HTTP answers with {@code Retry-After}, WebSocket with {@code retryAfterMs}. */
    IngestError retryAfter(int seconds) {
        this.retryAfterSeconds = seconds;
        return this;
    }
}

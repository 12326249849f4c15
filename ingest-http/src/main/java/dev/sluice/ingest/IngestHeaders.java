package dev.sluice.ingest;

/** Kafka headers the ingest puts on every record it produces. */
public final class IngestHeaders {
    /** Milliseconds since the epoch when Sluice accepted the record; also the record's timestamp. */
    public static final String INGEST_TIME = "sluice.ingest.time";
    /** {@code http} or {@code ws}. */
    public static final String SOURCE = "sluice.source";
    /** The id of the request that carried the record, also returned as {@code X-Request-Id}. */
    public static final String REQUEST_ID = "sluice.request.id";

    private IngestHeaders() {}
}

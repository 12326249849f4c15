package dev.sluice.ingest;

/**
 * Why the ingest refused a request: the {@code code} of the JSON error body, with its HTTP status.
 * Clients branch on the code; it is part of the wire contract (README, "Errors").
 */
public enum ErrorCode {
    INVALID_JSON(400, "invalid_json"),
    INVALID_GZIP(400, "invalid_gzip"),
    SCHEMA_MISMATCH(400, "schema_mismatch"),
    /** A refusal of the HTTP layer that has no code of its own. */
    BAD_REQUEST(400, "bad_request"),
    INVALID_IDEMPOTENCY_KEY(400, "invalid_idempotency_key"),
    UNAUTHORIZED(401, "unauthorized"),
    FORBIDDEN(403, "forbidden"),
    CORS_ORIGIN_NOT_ALLOWED(403, "cors_origin_not_allowed"),
    NOT_FOUND(404, "not_found"),
    UNKNOWN_PIPELINE(404, "unknown_pipeline"),
    UNKNOWN_TABLE(404, "unknown_table"),
    METHOD_NOT_ALLOWED(405, "method_not_allowed"),
    /** A stream of server-sent events was asked for without {@code Accept: text/event-stream}. */
    NOT_ACCEPTABLE(406, "not_acceptable"),
    /** Operator API: another replay of the same dead letters started meanwhile. */
    REPLAY_IN_PROGRESS(409, "replay_in_progress"),
    REQUEST_TOO_LARGE(413, "request_too_large"),
    RECORD_TOO_LARGE(413, "record_too_large"),
    UNSUPPORTED_MEDIA_TYPE(415, "unsupported_media_type"),
    UNSUPPORTED_ENCODING(415, "unsupported_encoding"),
    /** An {@code Idempotency-Key} this process took within the window for another body. */
    IDEMPOTENCY_KEY_REUSED(422, "idempotency_key_reused"),
    BACKPRESSURE(429, "backpressure"),
    /** The operator API holds as many live streams (tails) as it serves at once. */
    TOO_MANY_STREAMS(429, "too_many_streams"),
    INTERNAL_ERROR(500, "internal_error"),
    KAFKA_UNAVAILABLE(503, "kafka_unavailable"),
    /** Kafka did not confirm a commit in time: the records may yet be visible. */
    COMMIT_OUTCOME_UNKNOWN(503, "commit_outcome_unknown");

    private final int status;
    private final String wireName;

    ErrorCode(int status, String wireName) {
        this.status = status;
        this.wireName = wireName;
    }

    public int status() {
        return status;
    }

    /** The {@code code} field of the error body. */
    public String wireName() {
        return wireName;
    }
}

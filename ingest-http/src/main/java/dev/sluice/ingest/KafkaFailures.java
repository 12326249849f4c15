package dev.sluice.ingest;

import java.util.concurrent.CompletionException;

/** Turns a failed produce into the answer clients get: 503, retry later, nothing of the request kept. */
final class KafkaFailures {
    static final int RETRY_AFTER_SECONDS = 5;

    private KafkaFailures() {}

    static Throwable cause(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }

    static IngestError unavailable(String requestId) {
        return new IngestError(
                        ErrorCode.KAFKA_UNAVAILABLE,
                        "Kafka did not commit the records, so none of them was accepted;" + " retry later (request "
                                + requestId + ")")
                .retryAfter(RETRY_AFTER_SECONDS);
    }
}

package dev.sluice.ingest;

import java.util.concurrent.CompletionException;

/** Turns a failed produce into the answer clients get: 503, retry later, nothing of the request kept. */
final class KafkaFailures {
    static final int RETRY_AFTER_SECONDS = 5;

    private KafkaFailures() {}

    static Throwable cause(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }

    /** The answer to a produce that failed with {@code error}: nothing kept, or (rarely) not known. */
    static IngestError of(Throwable error, String requestId) {
        return cause(error) instanceof RecordSender.CommitOutcomeUnknown
                ? new IngestError(
                                ErrorCode.COMMIT_OUTCOME_UNKNOWN,
                                "Kafka did not confirm the commit of the records in time; they may have been accepted,"
                                        + " so a retry may write them twice (request " + requestId + ")")
                        .retryAfter(RETRY_AFTER_SECONDS)
                : unavailable(requestId);
    }

    static IngestError unavailable(String requestId) {
        return new IngestError(
                        ErrorCode.KAFKA_UNAVAILABLE,
                        "Kafka did not commit the records, so none of them was accepted;" + " retry later (request "
                                + requestId + ")")
                .retryAfter(RETRY_AFTER_SECONDS);
    }
}

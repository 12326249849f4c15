package dev.sluice.ingest;

import dev.sluice.config.BackpressureConfig;
import dev.sluice.config.PipelineConfig;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where a 429 is decided. A request is refused, before anything of it is produced, when its
 * pipeline's backlog (records accepted into Kafka but not yet written to storage) is past
 * {@code backpressure.maxBacklogRecords} or {@code maxBacklogBytes}, or when the producer already
 * holds {@link RecordSender#capacityBytes()} of unacknowledged requests. Nothing accepted is ever
 * dropped; clients retry after {@code Retry-After} and are admitted again as the backlog drains.
 */
public final class Backpressure {
    static final int BACKLOG_RETRY_AFTER_SECONDS = 5;
    static final int CAPACITY_RETRY_AFTER_SECONDS = 1;

    /** Reads each pipeline's backlog in records, e.g. from Kafka offsets; must be cheap (cached). */
    @FunctionalInterface
    public interface BacklogSource {
        /** Records waiting, or -1 when not known yet. */
        long backlogRecords(String pipeline);
    }

    private final BacklogSource backlog;
    private final RecordSender sender;
    // A running average of record sizes per pipeline turns a record backlog into bytes.
    private final Map<String, Double> averageRecordBytes = new ConcurrentHashMap<>();

    public Backpressure(BacklogSource backlog, RecordSender sender) {
        this.backlog = backlog;
        this.sender = sender;
    }

    /** @throws IngestError 429 with the reason and a Retry-After when the request must wait */
    void admit(PipelineConfig pipeline, int records, long bytes) {
        if (records > 0) {
            averageRecordBytes.merge(pipeline.name(), (double) bytes / records, (old, now) -> old * 0.9 + now * 0.1);
        }
        BackpressureConfig limits = pipeline.backpressure();
        long waiting = backlogRecords(pipeline.name());
        if (waiting > limits.maxBacklogRecords()) {
            throw backpressure(
                    pipeline,
                    waiting + " records are waiting to be written (limit " + limits.maxBacklogRecords() + ")",
                    BACKLOG_RETRY_AFTER_SECONDS);
        }
        long waitingBytes = backlogBytes(pipeline.name());
        if (waitingBytes > limits.maxBacklogBytes()) {
            throw backpressure(
                    pipeline,
                    "about " + waitingBytes + " bytes are waiting to be written (limit " + limits.maxBacklogBytes()
                            + ")",
                    BACKLOG_RETRY_AFTER_SECONDS);
        }
        if (sender.inFlightBytes() + bytes > sender.capacityBytes() && sender.inFlightBytes() > 0) {
            throw backpressure(
                    pipeline,
                    "the ingest's producer buffer is full (" + sender.inFlightBytes() + " bytes waiting for Kafka)",
                    CAPACITY_RETRY_AFTER_SECONDS);
        }
    }

    long backlogRecords(String pipeline) {
        return Math.max(0, backlog.backlogRecords(pipeline));
    }

    long backlogBytes(String pipeline) {
        return (long) (backlogRecords(pipeline) * averageRecordBytes.getOrDefault(pipeline, 0.0));
    }

    private static IngestError backpressure(PipelineConfig pipeline, String why, int retryAfterSeconds) {
        return new IngestError(
                        ErrorCode.BACKPRESSURE,
                        "pipeline " + pipeline.name() + " is busy: " + why
                                + "; nothing of this request was accepted, retry after " + retryAfterSeconds + " s",
                        -1)
                .retryAfter(retryAfterSeconds);
    }
}

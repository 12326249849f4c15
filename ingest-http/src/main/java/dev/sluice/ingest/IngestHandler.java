package dev.sluice.ingest;

import dev.sluice.config.PipelineConfig;
import dev.sluice.config.SluiceConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /ingest/{pipeline}}: validate the whole body, produce every record to the pipeline's
 * topic, and answer {@code {"success":true,"result":{"committed":N}}} only once Kafka acknowledged
 * all N. A body with any bad record is refused whole and nothing of it is produced.
 */
final class IngestHandler implements Handler {
    private static final Logger log = LoggerFactory.getLogger(IngestHandler.class);
    static final String REQUEST_ID_HEADER = "X-Request-Id";
    private static final String RETRY_AFTER_SECONDS = "5";

    private final SluiceConfig config;
    private final KafkaRecordProducer producer;

    IngestHandler(SluiceConfig config, KafkaRecordProducer producer) {
        this.config = config;
        this.producer = producer;
    }

    @Override
    public void handle(Context ctx) {
        String requestId = UUID.randomUUID().toString();
        ctx.header(REQUEST_ID_HEADER, requestId);
        String name = ctx.pathParam("pipeline");
        PipelineConfig pipeline = config.pipeline(name).orElseThrow(
                () -> new IngestError(404, "unknown_pipeline", "no pipeline named '" + name + "'"));
        List<byte[]> records = JsonRecords.split(ctx.bodyAsBytes());
        ctx.future(() -> producer.send(pipeline.topic(), records, "http", requestId)
                .handle((committed, error) -> {
                    if (error == null) {
                        Responses.committed(ctx, committed);
                    } else {
                        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                        log.warn("request {}: Kafka did not accept {} records for pipeline {}: {}",
                                requestId, records.size(), name, cause.toString());
                        ctx.header("Retry-After", RETRY_AFTER_SECONDS);
                        Responses.error(ctx, new IngestError(503, "kafka_unavailable",
                                "Kafka did not acknowledge the records; retry later (request " + requestId + ")"));
                    }
                    return null;
                }));
    }
}

package dev.sluice.ingest;

import dev.sluice.wire.Source;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /ingest/{pipeline}}: check who is asking and what they sent, accept every record or
 * none, and answer {@code {"success":true,"result":{"committed":N}}} only once Kafka committed all N.
 */
final class IngestHandler implements Handler {
    private static final Logger log = LoggerFactory.getLogger(IngestHandler.class);
    static final String REQUEST_ID_HEADER = "X-Request-Id";

    private final Ingest ingest;

    IngestHandler(Ingest ingest) {
        this.ingest = ingest;
    }

    @Override
    public void handle(Context ctx) {
        String requestId = RequestIds.next();
        ctx.header(REQUEST_ID_HEADER, requestId);
        Ingest.Endpoint endpoint = ingest.endpoint(ctx.pathParam("pipeline"));
        endpoint.cors.decorate(ctx);
        endpoint.tokens.require(ctx.header("Authorization"), ctx.queryParam("token"));
        BodyFormat format = BodyFormat.of(ctx.contentType());
        long limit = endpoint.pipeline.http().maxRequestBytes();
        byte[] raw = ctx.bodyAsBytes();
        if (raw.length > limit) {
            throw RequestBodies.tooLarge(limit);
        }
        byte[] body = RequestBodies.decode(raw, ctx.header("Content-Encoding"), limit);
        IdempotencyKey key = IdempotencyKey.of(ctx.header(IdempotencyKey.HEADER), body);
        ctx.future(() -> ingest.accept(endpoint, body, format, Source.HTTP, requestId, -1, key)
                .handle((committed, error) -> {
                    if (error == null) {
                        Responses.committed(ctx, committed);
                    } else {
                        log.warn(
                                "request {}: Kafka did not commit pipeline {}'s records: {}",
                                requestId,
                                endpoint.name(),
                                KafkaFailures.cause(error).toString());
                        IngestError unavailable = KafkaFailures.of(error, requestId);
                        ingest.metrics().refused(endpoint.name(), Source.HTTP, unavailable);
                        Responses.error(ctx, unavailable);
                    }
                    return null;
                }));
    }
}

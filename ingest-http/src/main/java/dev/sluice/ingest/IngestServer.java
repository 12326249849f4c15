package dev.sluice.ingest;

import dev.sluice.config.SluiceConfig;
import io.javalin.Javalin;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP front door: {@code POST /ingest/{pipeline}} and {@code GET /healthz}.
 *
 * <pre>{@code
 * try (IngestServer server = new IngestServer(config, producer, checks, "127.0.0.1", 8080)) {
 *     server.start();
 *     ...
 * }
 * }</pre>
 */
public final class IngestServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(IngestServer.class);
    /** Largest request body accepted; a later version makes this a per-pipeline setting. */
    static final long MAX_REQUEST_BYTES = 5L << 20;

    private final Javalin app;
    private final String host;
    private final int port;

    public IngestServer(SluiceConfig config, KafkaRecordProducer producer, List<HealthCheck> checks, String host, int port) {
        this.host = host;
        this.port = port;
        IngestHandler ingest = new IngestHandler(config, producer);
        HealthHandler health = new HealthHandler(checks);
        this.app = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.http.maxRequestSize = MAX_REQUEST_BYTES;
            cfg.routes.post("/ingest/{pipeline}", ingest);
            cfg.routes.get("/healthz", health);
            cfg.routes.exception(IngestError.class, (e, ctx) -> Responses.error(ctx, e));
            // Javalin's own refusals, e.g. 413 for a body over maxRequestSize.
            cfg.routes.exception(HttpResponseException.class, (e, ctx) -> Responses.error(ctx,
                    new IngestError(e.getStatus(), HttpStatus.forStatus(e.getStatus()).name().toLowerCase(Locale.ROOT), e.getMessage())));
            cfg.routes.exception(Exception.class, (e, ctx) -> {
                log.error("{} {} failed", ctx.method(), ctx.path(), e);
                Responses.error(ctx, new IngestError(500, "internal_error",
                        "the server failed to handle the request; see its log (request "
                                + ctx.res().getHeader(IngestHandler.REQUEST_ID_HEADER) + ")"));
            });
        });
    }

    public IngestServer start() {
        app.start(host, port);
        return this;
    }

    /** The bound port; useful when started on port 0. */
    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        app.stop();
    }
}

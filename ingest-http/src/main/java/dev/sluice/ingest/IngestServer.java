package dev.sluice.ingest;

import dev.sluice.config.SluiceConfig;
import dev.sluice.health.HealthCheck;
import dev.sluice.wire.Source;
import io.javalin.Javalin;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The front door: {@code POST /ingest/{pipeline}}, WebSocket {@code /ingest/{pipeline}},
 * {@code PUT} and {@code DELETE /tables/{table}/{key}} (lookup tables), {@code GET /healthz} and
 * {@code GET /metrics}.
 *
 * <pre>{@code
 * try (IngestServer server = new IngestServer(config, sender, backpressure, registry, checks, "127.0.0.1", 8080)) {
 *     server.start();
 *     ...
 * }
 * }</pre>
 */
public final class IngestServer implements AutoCloseable {
    /**
     * Where answers are written once Kafka acknowledged a request. Kafka completes a request on its producer's
     * own threads (the network thread of the single-record producer, a lane after a commit); writing HTTP and
     * WebSocket answers there would hold up the next produce or commit.
     */
    private final ExecutorService replies =
            Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()), new ReplyThreads());

    private static final Logger log = LoggerFactory.getLogger(IngestServer.class);
    /** One line per request at INFO; its level is WARN unless SLUICE_REQUEST_LOG=INFO (see logback.xml). */
    private static final Logger requestLog = LoggerFactory.getLogger("sluice.requests");
    /** How long a stop waits for requests in flight: the longest a commit is retried, and a little. */
    private static final Duration STOP_TIMEOUT = Duration.ofMillis(RecordSender.COMMIT_RETRY_MILLIS + 5_000);

    private final Javalin app;
    private final String host;
    private final int port;

    public IngestServer(
            SluiceConfig config,
            RecordSender sender,
            Backpressure backpressure,
            PrometheusMeterRegistry registry,
            List<HealthCheck> checks,
            String host,
            int port) {
        this(config, sender, null, backpressure, registry, checks, host, port, routes -> {});
    }

    /**
     * @param tables writes lookup-table rows; null when the config declares no table
     * @param more   other roles' endpoints served on the same port (the workflows REST API)
     */
    public IngestServer(
            SluiceConfig config,
            RecordSender sender,
            TableWriter tables,
            Backpressure backpressure,
            PrometheusMeterRegistry registry,
            List<HealthCheck> checks,
            String host,
            int port,
            Consumer<RoutesConfig> more) {
        this.host = host;
        this.port = port;
        IngestMetrics metrics = new IngestMetrics(registry, config, backpressure);
        Ingest ingest = new Ingest(config, sender, backpressure, metrics, replies);
        IngestHandler http = new IngestHandler(ingest);
        HealthHandler health = new HealthHandler(checks);
        long maxBody = config.pipelines().stream()
                .mapToLong(p -> p.http().maxRequestBytes())
                .max()
                .orElse(5L << 20);
        this.app = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            // Per-pipeline limits are checked in the handler; this only stops bodies no pipeline accepts.
            cfg.http.maxRequestSize = maxBody;
            cfg.http.prefer405over404 = true;
            cfg.requestLogger.http((ctx, ms) -> {
                if (requestLog.isInfoEnabled()) {
                    requestLog.info(
                            "method={} path={} status={} ms={} request_id={} bytes_in={}",
                            ctx.method(),
                            ctx.path(),
                            ctx.statusCode(),
                            String.format(Locale.ROOT, "%.1f", ms),
                            ctx.res().getHeader(IngestHandler.REQUEST_ID_HEADER),
                            ctx.contentLength());
                }
            });
            cfg.routes.options("/ingest/{pipeline}", ctx -> preflight(ingest, ctx));
            // A stop (SIGTERM, a rolling restart) first stops accepting, then lets requests waiting on Kafka
            // get Kafka's answer: a 5xx for records Kafka kept would make the client send them twice.
            cfg.jetty.modifyServer(server -> {
                // POST and WebSocket /ingest/{pipeline} are served by Jetty directly (the last inserted is outermost).
                // The graceful stop covers POST; WebSocket sessions are closed with 1001 as the stop begins.
                server.insertHandler(http);
                server.insertHandler(new WsIngestHandler(ingest, server));
                server.insertHandler(new GracefulHandler());
                server.setStopTimeout(STOP_TIMEOUT.toMillis());
            });
            if (tables != null) {
                TableHandler table = new TableHandler(config, tables);
                cfg.routes.put("/tables/{table}/{key}", table::put);
                cfg.routes.delete("/tables/{table}/{key}", table::delete);
            }
            more.accept(cfg.routes);
            cfg.routes.get("/healthz", health);
            cfg.routes.get(
                    "/metrics",
                    ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                            .result(registry.scrape()));
            cfg.routes.exception(IngestError.class, (e, ctx) -> {
                metrics.refused(pipelineTag(config, ctx), Source.HTTP, e);
                Responses.error(ctx, e);
            });
            // Javalin's own refusals, e.g. 413 for a body over maxRequestSize: the same codes as ours.
            cfg.routes.exception(HttpResponseException.class, (e, ctx) -> {
                IngestError error = switch (e.getStatus()) {
                    case 404 ->
                        new IngestError(ErrorCode.NOT_FOUND, "no such endpoint: " + ctx.method() + " " + ctx.path());
                    case 405 -> methodNotAllowed(ctx);
                    case 413 -> RequestBodies.tooLarge(maxBody);
                    default ->
                        new IngestError(
                                e.getStatus() >= 500 ? ErrorCode.INTERNAL_ERROR : ErrorCode.BAD_REQUEST,
                                e.getMessage());
                };
                metrics.refused(pipelineTag(config, ctx), Source.HTTP, error);
                Responses.error(ctx, error);
            });
            cfg.routes.exception(Exception.class, (e, ctx) -> {
                log.error(
                        "{} {} failed (request {})",
                        ctx.method(),
                        ctx.path(),
                        ctx.res().getHeader(IngestHandler.REQUEST_ID_HEADER),
                        e);
                Responses.error(
                        ctx,
                        new IngestError(
                                ErrorCode.INTERNAL_ERROR,
                                "the server failed to handle the request; see its log (request "
                                        + ctx.res().getHeader(IngestHandler.REQUEST_ID_HEADER) + ")"));
            });
            cfg.routes.error(404, ctx -> {
                if (ctx.result() == null) {
                    Responses.error(
                            ctx,
                            new IngestError(
                                    ErrorCode.NOT_FOUND, "no such endpoint: " + ctx.method() + " " + ctx.path()));
                }
            });
            cfg.routes.error(405, ctx -> Responses.error(ctx, methodNotAllowed(ctx)));
        });
    }

    private static void preflight(Ingest ingest, Context ctx) {
        Ingest.Endpoint endpoint = ingest.endpoint(ctx.pathParam("pipeline"));
        if (endpoint.cors.isEnabled()) {
            endpoint.cors.preflight(ctx);
        } else {
            ctx.header("Allow", "POST, OPTIONS").status(204);
        }
    }

    private static IngestError methodNotAllowed(Context ctx) {
        return new IngestError(
                ErrorCode.METHOD_NOT_ALLOWED,
                ctx.method() + " is not allowed on " + ctx.path() + "; use "
                        + (ctx.path().startsWith("/tables/") ? "PUT or DELETE" : "POST"));
    }

    private static String pipelineTag(SluiceConfig config, Context ctx) {
        String name = ctx.pathParamMap().get("pipeline");
        return name != null && config.pipeline(name).isPresent() ? name : null;
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
        replies.shutdown(); // after the stop: requests still waiting on Kafka are answered through it
    }

    /** The largest record any pipeline accepts; the producer must allow it. */
    public static long maxRecordBytes(SluiceConfig config) {
        return config.pipelines().stream()
                .mapToLong(p -> p.http().maxRecordBytes())
                .max()
                .orElse(1L << 20);
    }

    private static final class ReplyThreads implements ThreadFactory {
        private final AtomicInteger count = new AtomicInteger();

        @Override
        public Thread newThread(Runnable r) {
            Thread thread = new Thread(r, "sluice-ingest-reply-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        }
    }
}

package dev.sluice.server;

import dev.sluice.health.HealthCheck;
import dev.sluice.ingest.HealthHandler;
import io.javalin.Javalin;
import io.javalin.config.RoutesConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.function.Consumer;

/**
 * The admin port of a {@code sluice run} process ({@code --admin-port}), whatever its roles: {@code GET
 * /healthz} for readiness probes (503 naming each role or dependency that is not running), {@code GET
 * /metrics} for Prometheus, and the operator API ({@link dev.sluice.server.admin.AdminApi}).
 */
final class AdminServer implements AutoCloseable {
    private final Javalin server;

    private AdminServer(Javalin server) {
        this.server = server;
    }

    static AdminServer start(
            String host,
            int port,
            List<HealthCheck> checks,
            PrometheusMeterRegistry registry,
            Consumer<RoutesConfig> more) {
        Javalin server = Javalin.create(cfg -> {
                    cfg.startup.showJavalinBanner = false;
                    more.accept(cfg.routes);
                    cfg.routes.get("/healthz", new HealthHandler(checks));
                    cfg.routes.get(
                            "/metrics",
                            ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                                    .result(registry.scrape()));
                })
                .start(host, port);
        return new AdminServer(server);
    }

    int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.stop();
    }
}

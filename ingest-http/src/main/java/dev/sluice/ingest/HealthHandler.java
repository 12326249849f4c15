package dev.sluice.ingest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.health.HealthCheck;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.util.List;

/**
 * {@code GET /healthz}: 200 when every check passes, 503 naming the ones that do not, e.g.
 * {@code {"checks":{"kafka":"ok","sink/events":"the sink of pipeline events stopped"},"status":"unavailable"}}.
 * Served on the ingest port and on every process's admin port.
 */
public final class HealthHandler implements Handler {
    private final List<HealthCheck> checks;

    public HealthHandler(List<HealthCheck> checks) {
        this.checks = checks;
    }

    @Override
    public void handle(Context ctx) {
        ObjectNode body = Responses.object();
        ObjectNode results = body.putObject("checks");
        boolean healthy = true;
        for (HealthCheck check : checks) {
            try {
                check.check();
                results.put(check.name(), "ok");
            } catch (Exception e) {
                healthy = false;
                results.put(check.name(), e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
            }
        }
        body.put("status", healthy ? "ok" : "unavailable");
        Responses.send(ctx, healthy ? 200 : 503, body);
    }
}

package dev.sluice.ingest;

import io.javalin.http.Context;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * A pipeline's {@code cors.origins}. Without it no CORS header is ever sent, so browsers refuse
 * cross-origin calls; with it, allowed origins get the headers and preflight {@code OPTIONS} requests
 * are answered.
 */
final class CorsPolicy {
    static final String ALLOWED_HEADERS = "Authorization, Content-Type, Content-Encoding, Idempotency-Key";
    static final String MAX_AGE_SECONDS = "600";

    private final List<String> origins;

    CorsPolicy(List<String> origins) {
        this.origins = origins;
    }

    boolean isEnabled() {
        return !origins.isEmpty();
    }

    /** The value for Access-Control-Allow-Origin, or null when this origin is not allowed. */
    String allowOrigin(String origin) {
        if (origin == null || origins.isEmpty()) {
            return null;
        }
        return origins.contains("*") ? "*" : origins.contains(origin) ? origin : null;
    }

    /** Adds the headers an actual (non-preflight) response needs. */
    void decorate(String origin, BiConsumer<String, String> header) {
        String allow = allowOrigin(origin);
        if (allow != null) {
            header.accept("Access-Control-Allow-Origin", allow);
            header.accept("Access-Control-Expose-Headers", "X-Request-Id, Retry-After");
            if (!allow.equals("*")) {
                header.accept("Vary", "Origin");
            }
        }
    }

    /** Answers a preflight: 204 with the allowed method and headers, or 403 for an origin not allowed. */
    void preflight(Context ctx) {
        String allow = allowOrigin(ctx.header("Origin"));
        if (allow == null) {
            throw new IngestError(
                    ErrorCode.CORS_ORIGIN_NOT_ALLOWED,
                    "origin '" + ctx.header("Origin") + "' may not call this pipeline");
        }
        ctx.header("Access-Control-Allow-Origin", allow);
        ctx.header("Access-Control-Allow-Methods", "POST, OPTIONS");
        ctx.header("Access-Control-Allow-Headers", ALLOWED_HEADERS);
        ctx.header("Access-Control-Max-Age", MAX_AGE_SECONDS);
        if (!allow.equals("*")) {
            ctx.header("Vary", "Origin");
        }
        ctx.status(204);
    }
}

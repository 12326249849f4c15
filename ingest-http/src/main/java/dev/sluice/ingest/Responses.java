package dev.sluice.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;

/** The JSON bodies the ingest answers with; one place so every endpoint speaks the same shape. */
public final class Responses {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Responses() {}

    /** {@code {"success":true,"result":{"committed":N}}}: the answer to nearly every request, so written directly. */
    static String committed(int count) {
        return "{\"success\":true,\"result\":{\"committed\":" + count + "}}";
    }

    public static void error(Context ctx, IngestError e) {
        if (e.retryAfterSeconds > 0) {
            ctx.header("Retry-After", Integer.toString(e.retryAfterSeconds));
        }
        ctx.status(e.status()).contentType("application/json").result(errorBody(e));
    }

    /** {@code {"success":false,"error":{…}}}; the caller sets {@code Retry-After} when the error has one. */
    static String errorBody(IngestError e) {
        ObjectNode body = JSON.createObjectNode().put("success", false);
        body.set("error", errorObject(e));
        return body.toString();
    }

    /** {@code {"code":…,"message":…,"index":…}}, shared with WebSocket answers. */
    static ObjectNode errorObject(IngestError e) {
        ObjectNode error =
                JSON.createObjectNode().put("code", e.code.wireName()).put("message", e.getMessage());
        if (e.index >= 0) {
            error.put("index", e.index);
        }
        if (e.retryAfterSeconds > 0 && e.code == ErrorCode.BACKPRESSURE) {
            error.put("retryAfterMs", e.retryAfterSeconds * 1000);
        }
        return error;
    }

    static void send(Context ctx, int status, ObjectNode body) {
        ctx.status(status).contentType("application/json").result(body.toString());
    }

    static ObjectNode object() {
        return JSON.createObjectNode();
    }
}

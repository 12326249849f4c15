package dev.sluice.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;

/** The JSON bodies the ingest answers with; one place so every endpoint speaks the same shape. */
final class Responses {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Responses() {}

    static void committed(Context ctx, int count) {
        ObjectNode body = JSON.createObjectNode().put("success", true);
        body.putObject("result").put("committed", count);
        send(ctx, 200, body);
    }

    static void error(Context ctx, IngestError e) {
        ObjectNode body = JSON.createObjectNode().put("success", false);
        ObjectNode error = body.putObject("error").put("code", e.code).put("message", e.getMessage());
        if (e.index >= 0) {
            error.put("index", e.index);
        }
        send(ctx, e.status, body);
    }

    static void send(Context ctx, int status, ObjectNode body) {
        ctx.status(status).contentType("application/json").result(body.toString());
    }

    static ObjectNode object() {
        return JSON.createObjectNode();
    }
}

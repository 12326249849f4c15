package dev.sluice.server.admin;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The web console: a page at {@code /} and its script and style under {@code /console/}, shipped in the jar. It
 * holds no data; everything it shows comes from the operator and workflows APIs, with the visitor's token.
 */
public final class Console {
    /** Each asset by name, with its content type: only these are served, so no path reaches anything else. */
    private static final Map<String, String> ASSETS = Map.of(
            "index.html", "text/html; charset=utf-8",
            "app.js", "text/javascript; charset=utf-8",
            "style.css", "text/css; charset=utf-8");

    private final Map<String, byte[]> content;

    public Console() {
        this.content = Map.of(
                "index.html", load("index.html"),
                "app.js", load("app.js"),
                "style.css", load("style.css"));
    }

    public void register(RoutesConfig routes) {
        routes.get("/", ctx -> serve(ctx, "index.html"));
        routes.get("/console/{asset}", ctx -> serve(ctx, ctx.pathParam("asset")));
    }

    private void serve(Context ctx, String asset) {
        byte[] body = content.get(asset);
        if (body == null) {
            ctx.status(404).contentType("text/plain; charset=utf-8").result("no such console file: " + asset);
            return;
        }
        // Small, and changed with every release: ask the server each time rather than serve a stale console.
        ctx.header("Cache-Control", "no-cache").contentType(ASSETS.get(asset)).result(body);
    }

    private static byte[] load(String asset) {
        try (InputStream in = Console.class.getResourceAsStream("/dev/sluice/server/console/" + asset)) {
            if (in == null) {
                throw new IllegalStateException("the console's " + asset + " is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

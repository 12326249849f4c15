package dev.sluice.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** A WebSocket client (the JDK's) that collects every answer frame. */
final class WsClient implements WebSocket.Listener, AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    final List<JsonNode> answers = new CopyOnWriteArrayList<>();
    private final StringBuilder partial = new StringBuilder();
    private WebSocket socket;

    static WsClient connect(DevStack stack, String pipeline, String query, String authorization) throws Exception {
        WsClient client = new WsClient();
        WebSocket.Builder builder =
                HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10));
        if (authorization != null) {
            builder.header("Authorization", authorization);
        }
        String uri = "ws://127.0.0.1:" + stack.httpPort() + "/ingest/" + pipeline + (query == null ? "" : "?" + query);
        client.socket = builder.buildAsync(URI.create(uri), client).get(10, TimeUnit.SECONDS);
        return client;
    }

    /** Sends frames back to back, each waiting only for the previous send (not for its answer). */
    void sendAll(List<String> frames) throws Exception {
        for (String frame : frames) {
            socket.sendText(frame, true).get(30, TimeUnit.SECONDS);
        }
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            try {
                answers.add(JSON.readTree(partial.toString()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            partial.setLength(0);
        }
        webSocket.request(1);
        return CompletableFuture.completedFuture(null);
    }

    List<JsonNode> answers() {
        return new ArrayList<>(answers);
    }

    @Override
    public void close() {
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "done")
                .orTimeout(5, TimeUnit.SECONDS)
                .exceptionally(e -> null)
                .join();
    }
}

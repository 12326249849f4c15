package dev.sluice.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** Talks to the workflows REST API the way Cloudflare's clients do: v4 paths, bearer token, JSON envelope. */
final class WorkflowsClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final String base;
    private final String token;

    WorkflowsClient(DevStack stack, String account, String token) {
        this(stack.httpBaseUrl(), account, token);
    }

    WorkflowsClient(String baseUrl, String account, String token) {
        this.base = baseUrl + "/client/v4/accounts/" + account + "/workflows";
        this.token = token;
    }

    /** True when something answers HTTP at the base URL (a process that is still starting does not). */
    boolean reachable() {
        try {
            HTTP.send(HttpRequest.newBuilder(URI.create(base)).GET().build(), HttpResponse.BodyHandlers.discarding());
            return true;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The status and the parsed body of a call. */
    record Answer(int status, JsonNode body) {
        /** The envelope's result; fails the test when the call did not succeed. */
        JsonNode result() {
            if (status != 200) {
                throw new AssertionError("HTTP " + status + ": " + body);
            }
            return body.get("result");
        }

        String firstError() {
            return body.path("errors").path(0).path("message").asText();
        }
    }

    Answer get(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    Answer post(String path, String json) {
        return send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    Answer patch(String path, String json) {
        return send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(json)));
    }

    /** The instance's current status, e.g. {@code complete}. */
    String status(String workflow, String id) {
        Answer answer = get("/" + workflow + "/instances/" + id);
        return answer.status() == 200 ? answer.result().path("status").asText() : "http-" + answer.status();
    }

    private Answer send(HttpRequest.Builder request) {
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try {
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), JSON.readTree(response.body()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

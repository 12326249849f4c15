package dev.sluice.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The CLI's side of the operator API: one GET, its {@code result}, or a {@link Failure} a person can read. */
final class ApiClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** Why a call did not answer a result, said for the terminal. */
    static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;
        /** The HTTP status that said no; 0 when nothing answered. */
        final int status;

        Failure(String message) {
            this(0, message);
        }

        Failure(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    private final String url;
    private final String base;
    private final String token;

    ApiClient(String url, String token) {
        this(url, "/api/v1", token);
    }

    private ApiClient(String url, String base, String token) {
        this.url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        this.base = base;
        this.token = token;
    }

    /** The same server's workflows REST API (Cloudflare's v4), for {@code account}. */
    ApiClient workflows(String account) {
        return new ApiClient(url, "/client/v4/accounts/" + account + "/workflows", token);
    }

    /** {@code GET {base}{path}}'s result. */
    JsonNode get(String path) throws Failure {
        return result(send(request(path).timeout(TIMEOUT), HttpResponse.BodyHandlers.ofString()));
    }

    /** {@code POST {base}{path}} with a JSON body: its result. Waits as long as the operation takes. */
    JsonNode post(String path, JsonNode body) throws Failure {
        return result(send(
                request(path)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body.toString())),
                HttpResponse.BodyHandlers.ofString()));
    }

    /** {@code PATCH {base}{path}} with a JSON body: its result. */
    JsonNode patch(String path, JsonNode body) throws Failure {
        return result(send(
                request(path)
                        .timeout(TIMEOUT)
                        .header("Content-Type", "application/json")
                        .method("PATCH", HttpRequest.BodyPublishers.ofString(body.toString())),
                HttpResponse.BodyHandlers.ofString()));
    }

    private JsonNode result(HttpResponse<String> response) throws Failure {
        JsonNode body;
        try {
            body = JSON.readTree(response.body());
        } catch (IOException e) {
            throw new Failure(
                    response.statusCode(), url + " answered " + response.statusCode() + " without JSON: is it Sluice?");
        }
        if (response.statusCode() / 100 != 2 || !body.path("success").asBoolean()) {
            throw failure(response.statusCode(), body);
        }
        return body.path("result");
    }

    /**
     * {@code GET /api/v1{path}} as server-sent events: hands each event's data, as JSON, to {@code each} until
     * the server ends the stream. Blocks.
     */
    void stream(String path, Consumer<JsonNode> each) throws Failure {
        HttpResponse<Stream<String>> response =
                send(request(path).header("Accept", "text/event-stream"), HttpResponse.BodyHandlers.ofLines());
        try (Stream<String> lines = response.body()) {
            if (response.statusCode() != 200) {
                String text = lines.collect(Collectors.joining("\n"));
                try {
                    throw failure(response.statusCode(), JSON.readTree(text));
                } catch (IOException e) {
                    throw new Failure(url + " answered " + response.statusCode() + " without JSON: is it Sluice?");
                }
            }
            // One event per "data:" line: the API sends each record's JSON on one line.
            for (String line : (Iterable<String>) lines::iterator) {
                if (line.startsWith("data:")) {
                    try {
                        each.accept(
                                JSON.readTree(line.substring("data:".length()).strip()));
                    } catch (IOException e) {
                        throw new Failure("the stream sent something that is not JSON: " + line);
                    }
                }
            }
        } catch (UncheckedIOException e) {
            throw new Failure(
                    "the stream from " + url + " broke: " + e.getCause().getMessage());
        }
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + base + path));
        if (token != null && !token.isEmpty()) {
            request.header("Authorization", "Bearer " + token);
        }
        return request;
    }

    private <T> HttpResponse<T> send(HttpRequest.Builder request, HttpResponse.BodyHandler<T> body) throws Failure {
        try {
            return http.send(request.build(), body);
        } catch (ConnectException e) {
            throw new Failure("cannot reach " + url + " (is Sluice running? set --url or SLUICE_URL)");
        } catch (IOException e) {
            throw new Failure("cannot reach " + url + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure("interrupted");
        }
    }

    private static Failure failure(int status, JsonNode body) {
        // The operator API's one error, or the v4 envelope's first.
        JsonNode error =
                body.has("error") ? body.path("error") : body.path("errors").path(0);
        String hint = status == 401 ? " (set --token or SLUICE_TOKEN)" : "";
        return new Failure(
                status,
                status + " " + error.path("code").asText("error") + ": "
                        + error.path("message").asText(body.toString()) + hint);
    }
}

package dev.sluice.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The CLI's side of the operator API: one GET, its {@code result}, or a {@link Failure} a person can read. */
final class ApiClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** Why a call did not answer a result, said for the terminal. */
    static final class Failure extends Exception {
        Failure(String message) {
            super(message);
        }
    }

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    private final String url;
    private final String token;

    ApiClient(String url, String token) {
        this.url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        this.token = token;
    }

    /** {@code GET /api/v1{path}}'s result. */
    JsonNode get(String path) throws Failure {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(URI.create(url + "/api/v1" + path)).timeout(TIMEOUT);
        if (token != null && !token.isEmpty()) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new Failure("cannot reach " + url + " (is Sluice running? set --url or SLUICE_URL)");
        } catch (IOException e) {
            throw new Failure("cannot reach " + url + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure("interrupted");
        }
        JsonNode body;
        try {
            body = JSON.readTree(response.body());
        } catch (IOException e) {
            throw new Failure(url + " answered " + response.statusCode() + " without JSON: is it Sluice?");
        }
        if (response.statusCode() != 200 || !body.path("success").asBoolean()) {
            JsonNode error = body.path("error");
            String hint = response.statusCode() == 401 ? " (set --token or SLUICE_TOKEN)" : "";
            throw new Failure(response.statusCode() + " " + error.path("code").asText("error") + ": "
                    + error.path("message").asText(response.body()) + hint);
        }
        return body.path("result");
    }
}

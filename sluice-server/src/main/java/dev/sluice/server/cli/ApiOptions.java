package dev.sluice.server.cli;

import picocli.CommandLine.Option;

/** Where the operator API is and how to be let in: the options every API command shares. */
public final class ApiOptions {
    @Option(
            names = "--url",
            defaultValue = "${env:SLUICE_URL:-http://127.0.0.1:8080}",
            description = "Sluice's HTTP or admin port (default: $SLUICE_URL, else ${DEFAULT-VALUE})")
    String url;

    @Option(
            names = "--token",
            defaultValue = "${env:SLUICE_TOKEN}",
            description = "a bearer token from admin.tokens (default: $SLUICE_TOKEN)")
    String token;

    @Option(names = "--json", description = "print the API's JSON, for scripts")
    boolean json;

    ApiClient client() {
        return new ApiClient(url, token);
    }
}

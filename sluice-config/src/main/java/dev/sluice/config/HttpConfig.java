package dev.sluice.config;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A pipeline's HTTP and WebSocket endpoint.
 *
 * @param auth            bearer tokens; none means the endpoint is open
 * @param cors            browser origins allowed to call the endpoint; absent means no CORS headers
 * @param maxRequestBytes largest request body or WebSocket message, after gzip decoding (default 5MB)
 * @param maxRecordBytes  largest single record (default 1MB)
 */
public record HttpConfig(
        Auth auth,
        Cors cors,

        @JsonDeserialize(using = Units.BytesDeserializer.class)
        Long maxRequestBytes,

        @JsonDeserialize(using = Units.BytesDeserializer.class)
        Long maxRecordBytes) {

    public static final HttpConfig DEFAULTS = new HttpConfig(null, null, null, null);

    public HttpConfig {
        auth = auth == null ? new Auth(null) : auth;
        maxRequestBytes = maxRequestBytes == null ? 5L << 20 : maxRequestBytes;
        maxRecordBytes = maxRecordBytes == null ? 1L << 20 : maxRecordBytes;
    }

    /**
     * The bearer tokens the endpoint accepts; with none it is open.
     *
     * @param tokens accepted bearer tokens (compare them with {@code TokenCheck}, never log them)
     */
    public record Auth(List<String> tokens) {
        public Auth {
            tokens = tokens == null ? List.of() : List.copyOf(tokens);
        }

        public boolean isOpen() {
            return tokens.isEmpty();
        }

        void validate(String at) {
            for (int i = 0; i < tokens.size(); i++) {
                if (tokens.get(i) == null || tokens.get(i).isBlank()) {
                    throw new ConfigException(at + ".tokens[" + i + "]", "is empty (is its environment variable set?)");
                }
            }
        }

        @Override
        public String toString() {
            return "Auth[" + tokens.size() + " tokens]";
        }
    }

    /**
     * The browser origins allowed to call the endpoint across origins.
     *
     * @param origins exact origins such as {@code https://app.example.com}, or {@code *}
     */
    public record Cors(List<String> origins) {
        public Cors {
            origins = origins == null ? List.of() : List.copyOf(origins);
        }
    }

    private static final Pattern ORIGIN = Pattern.compile("https?://[^/\\s]+");

    void validate(String at) {
        auth.validate(at + ".auth");
        if (cors != null) {
            for (int i = 0; i < cors.origins().size(); i++) {
                String origin = cors.origins().get(i);
                if (origin == null
                        || !(origin.equals("*") || ORIGIN.matcher(origin).matches())) {
                    throw new ConfigException(
                            at + ".cors.origins[" + i + "]",
                            "'" + origin + "' is not an origin (write e.g. https://app.example.com, no path, or *)");
                }
            }
        }
        if (maxRequestBytes <= 0) {
            throw new ConfigException(at + ".maxRequestBytes", "must be positive");
        }
        if (maxRecordBytes <= 0 || maxRecordBytes > maxRequestBytes) {
            throw new ConfigException(at + ".maxRecordBytes", "must be positive and at most maxRequestBytes");
        }
    }
}

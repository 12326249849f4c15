package dev.sluice.config;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.util.List;

/**
 * A pipeline's HTTP and WebSocket endpoint.
 *
 * @param auth            bearer tokens; none means the endpoint is open
 * @param cors            browser origins allowed to call the endpoint; absent means no CORS headers
 * @param maxRequestBytes largest request body or WebSocket frame, after gzip decoding (default 5MB)
 * @param maxRecordBytes  largest single record (default 1MB)
 */
public record HttpConfig(Auth auth, Cors cors,
                         @JsonDeserialize(using = Sizes.BytesDeserializer.class) Long maxRequestBytes,
                         @JsonDeserialize(using = Sizes.BytesDeserializer.class) Long maxRecordBytes) {

    public static final HttpConfig DEFAULTS = new HttpConfig(null, null, null, null);

    public HttpConfig {
        auth = auth == null ? new Auth(null) : auth;
        maxRequestBytes = maxRequestBytes == null ? 5L << 20 : maxRequestBytes;
        maxRecordBytes = maxRecordBytes == null ? 1L << 20 : maxRecordBytes;
    }

    /** @param tokens accepted bearer tokens (compare them with {@code TokenCheck}, never log them) */
    public record Auth(List<String> tokens) {
        public Auth {
            tokens = tokens == null ? List.of() : List.copyOf(tokens);
        }

        public boolean isOpen() {
            return tokens.isEmpty();
        }

        @Override
        public String toString() {
            return "Auth[" + tokens.size() + " tokens]";
        }
    }

    /** @param origins exact origins such as {@code https://app.example.com}, or {@code *} */
    public record Cors(List<String> origins) {
        public Cors {
            origins = origins == null ? List.of() : List.copyOf(origins);
        }
    }
}

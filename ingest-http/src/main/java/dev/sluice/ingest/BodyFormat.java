package dev.sluice.ingest;

import java.util.Locale;

/** How a request body holds its records, chosen by Content-Type. */
enum BodyFormat {
    /** A JSON array of objects, or a single object. */
    JSON,
    /** Newline-delimited JSON objects. */
    NDJSON;

    /**
     * JSON is accepted under {@code application/json}, {@code text/plain}, no type at all, and
     * {@code application/x-www-form-urlencoded} (what a bare {@code curl -d} sends); NDJSON under
     * {@code application/x-ndjson}. Anything else is a 415.
     */
    static BodyFormat of(String contentType) {
        if (contentType == null || contentType.isBlank()) {
            return JSON;
        }
        int semicolon = contentType.indexOf(';');
        String type = (semicolon < 0 ? contentType : contentType.substring(0, semicolon))
                .trim()
                .toLowerCase(Locale.ROOT);
        return switch (type) {
            case "application/json", "text/plain", "application/x-www-form-urlencoded" -> JSON;
            case "application/x-ndjson" -> NDJSON;
            default ->
                throw new IngestError(
                        ErrorCode.UNSUPPORTED_MEDIA_TYPE,
                        "Content-Type '" + type
                                + "' is not accepted; send application/json (an array of objects or one object) or application/x-ndjson");
        };
    }
}

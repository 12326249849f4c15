package dev.sluice.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.wire.SluiceHeaders;
import java.time.Instant;
import java.util.Locale;

/** A record from the operator API as one line: when, where, a dead letter's reason, the value. */
final class RecordLine {
    private RecordLine() {}

    static String of(JsonNode r) {
        StringBuilder line = new StringBuilder()
                .append(Instant.ofEpochMilli(r.path("timestamp").asLong()))
                .append("  ")
                .append(r.path("topic").asText())
                .append(' ')
                .append(r.path("partition").asInt())
                .append('@')
                .append(r.path("offset").asLong())
                .append("  ");
        JsonNode headers = r.path("headers");
        if (headers.has(SluiceHeaders.ERROR_STAGE)) {
            line.append(headers.path(SluiceHeaders.ERROR_STAGE).asText());
            if (headers.has(SluiceHeaders.ERROR_TRANSFORM)) {
                line.append(' ')
                        .append(headers.path(SluiceHeaders.ERROR_TRANSFORM).asText());
            }
            line.append(": ")
                    .append(headers.path(SluiceHeaders.ERROR_MESSAGE).asText(""))
                    .append("  ");
        }
        JsonNode value = r.path("value");
        return printable(line.append(value.isTextual() ? value.asText() : value.toString())
                .toString());
    }

    /** Control characters as \\uXXXX: a record cannot move the cursor or recolour the operator's terminal. */
    static String printable(String text) {
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().forEach(c -> {
            if (Character.isISOControl(c)) {
                out.append(String.format(Locale.ROOT, "\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.toString();
    }
}

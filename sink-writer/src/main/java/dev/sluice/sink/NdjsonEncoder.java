package dev.sluice.sink;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.zip.GZIPOutputStream;

/**
 * Encodes one batch as newline-delimited JSON, optionally gzip-compressed as it goes so that an
 * open batch holds compressed bytes only.
 */
final class NdjsonEncoder {
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(64 * 1024);
    private final OutputStream out;

    NdjsonEncoder(boolean gzip) {
        try {
            this.out = gzip ? new GZIPOutputStream(buffer, 64 * 1024) : buffer;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String extension(boolean gzip) {
        return gzip ? ".json.gz" : ".json";
    }

    /**
     * Appends one JSON object as one line. A raw line break inside a JSON document can only be
     * whitespace between tokens (JSON strings must escape them), so replacing it with a space
     * keeps pretty-printed input valid without re-serialising every record.
     */
    void write(byte[] json) {
        try {
            int start = 0;
            for (int i = 0; i < json.length; i++) {
                if (json[i] == '\n' || json[i] == '\r') {
                    out.write(json, start, i - start);
                    out.write(' ');
                    start = i + 1;
                }
            }
            out.write(json, start, json.length - start);
            out.write('\n');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Finishes the stream and returns the object's bytes. */
    byte[] finish() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return buffer.toByteArray();
    }
}

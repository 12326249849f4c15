package dev.sluice.sink;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Newline-delimited JSON: how a record becomes a spool line, and how a spool file becomes an
 * {@code .json.gz} or {@code .json} object. A spool file already is the NDJSON body, so plain NDJSON
 * needs no second pass and gzip is one streaming pass.
 */
final class NdjsonEncoder implements ObjectEncoder {
    private static final int BUFFER = 64 * 1024;

    private final boolean gzip;
    private final int level;

    /** @param level the gzip level, 1 (fastest) to 9 (smallest); ignored without gzip */
    NdjsonEncoder(boolean gzip, int level) {
        this.gzip = gzip;
        this.level = level;
    }

    static String extension(boolean gzip) {
        return gzip ? ".json.gz" : ".json";
    }

    /**
     * Appends one JSON object as one line. A raw line break inside a JSON document can only be
     * whitespace between tokens (JSON strings must escape them), so replacing it with a space
     * keeps pretty-printed input valid without re-serialising every record.
     */
    static void writeLine(OutputStream out, byte[] json) throws IOException {
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
    }

    interface LineVisitor {
        void accept(byte[] line);
    }

    /** Reads a spool file back, one record (line, without its newline) at a time. */
    static void forEachLine(Path spool, LineVisitor visitor) throws IOException {
        try (InputStream in = Files.newInputStream(spool)) {
            byte[] chunk = new byte[BUFFER];
            byte[] line = new byte[1024];
            int length = 0;
            for (int n; (n = in.read(chunk)) > 0; ) {
                for (int i = 0; i < n; i++) {
                    byte b = chunk[i];
                    if (b == '\n') {
                        visitor.accept(Arrays.copyOf(line, length));
                        length = 0;
                    } else {
                        if (length == line.length) {
                            line = Arrays.copyOf(line, line.length * 2);
                        }
                        line[length++] = b;
                    }
                }
            }
            if (length > 0) {
                visitor.accept(Arrays.copyOf(line, length));
            }
        }
    }

    @Override
    public String extension() {
        return extension(gzip);
    }

    @Override
    public String contentType() {
        return gzip ? "application/gzip" : "application/x-ndjson";
    }

    /** NDJSON holds any JSON object, so nothing is ever rejected. */
    @Override
    public Path encode(Path spool, Path scratch, Rejects rejected) throws IOException {
        if (!gzip) {
            return spool;
        }
        try (InputStream in = Files.newInputStream(spool);
                OutputStream out = new LeveledGzipOutputStream(Files.newOutputStream(scratch), level)) {
            in.transferTo(out);
        }
        return scratch;
    }
}

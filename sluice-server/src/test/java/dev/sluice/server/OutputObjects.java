package dev.sluice.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/** Reads the sink's gzip NDJSON objects back, whether fetched over S3 or found in the store's folder. */
final class OutputObjects {
    private static final ObjectMapper JSON = new ObjectMapper();

    private OutputObjects() {}

    /** The records of one object's bytes; {@code name} is for the error message. */
    static List<JsonNode> records(byte[] gzippedNdjson, String name) {
        List<JsonNode> out = new ArrayList<>();
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzippedNdjson))) {
            String ndjson = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            for (String line : ndjson.lines().toList()) {
                if (!line.isEmpty()) {
                    out.add(JSON.readTree(line));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + name + " as gzip NDJSON", e);
        }
        return out;
    }

    /** The records of an object file in the embedded store's folder. */
    static List<JsonNode> records(Path file) {
        try {
            return records(Files.readAllBytes(file), file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(file.toString(), e);
        }
    }
}

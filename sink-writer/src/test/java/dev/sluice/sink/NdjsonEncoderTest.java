package dev.sluice.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NdjsonEncoderTest {
    @TempDir
    Path dir;

    private Path spoolOf(String... records) throws IOException {
        Path spool = dir.resolve("batch.ndjson");
        try (var out = Files.newOutputStream(spool)) {
            for (String record : records) {
                NdjsonEncoder.writeLine(out, record.getBytes(StandardCharsets.UTF_8));
            }
        }
        return spool;
    }

    @Test
    void writesOneLinePerRecordGzipped() throws IOException {
        Path spool = spoolOf("{\"a\":1}", "{\n  \"b\": \"x\\ny\"\r\n}");
        try (Rejects rejects = new Rejects(dir.resolve("rejects"))) {
            Path object = new NdjsonEncoder(true, 6).encode(spool, dir.resolve("object"), rejects);
            try (InputStream in = new GZIPInputStream(Files.newInputStream(object))) {
                assertEquals(
                        "{\"a\":1}\n{   \"b\": \"x\\ny\"  }\n", new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
            assertEquals(0, rejects.count());
        }
    }

    @Test
    void plainNdjsonIsTheSpoolFileItself() throws IOException {
        Path spool = spoolOf("{}");
        try (Rejects rejects = new Rejects(dir.resolve("rejects"))) {
            Path object = new NdjsonEncoder(false, 0).encode(spool, dir.resolve("object"), rejects);
            assertEquals(spool, object);
            assertEquals("{}\n", Files.readString(object));
        }
        assertEquals(".json", NdjsonEncoder.extension(false));
        assertEquals(".json.gz", NdjsonEncoder.extension(true));
    }
}

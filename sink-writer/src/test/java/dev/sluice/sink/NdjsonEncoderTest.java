package dev.sluice.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

class NdjsonEncoderTest {

    @Test
    void writesOneLinePerRecordGzipped() throws IOException {
        NdjsonEncoder encoder = new NdjsonEncoder(true);
        encoder.write("{\"a\":1}".getBytes(StandardCharsets.UTF_8));
        encoder.write("{\n  \"b\": \"x\\ny\"\r\n}".getBytes(StandardCharsets.UTF_8));
        byte[] gz = encoder.finish();
        String text = new String(new GZIPInputStream(new ByteArrayInputStream(gz)).readAllBytes(), StandardCharsets.UTF_8);
        assertEquals("{\"a\":1}\n{   \"b\": \"x\\ny\"  }\n", text);
    }

    @Test
    void writesPlainWhenUncompressed() {
        NdjsonEncoder encoder = new NdjsonEncoder(false);
        encoder.write("{}".getBytes(StandardCharsets.UTF_8));
        assertEquals("{}\n", new String(encoder.finish(), StandardCharsets.UTF_8));
        assertEquals(".json", NdjsonEncoder.extension(false));
        assertEquals(".json.gz", NdjsonEncoder.extension(true));
    }
}

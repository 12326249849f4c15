package dev.sluice.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/** Content types, encodings, tokens, CORS origins and partition keys: the checks around the body. */
class RequestChecksTest {

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    @Test
    void contentTypes() {
        assertEquals(BodyFormat.JSON, BodyFormat.of(null));
        assertEquals(BodyFormat.JSON, BodyFormat.of("application/json; charset=utf-8"));
        assertEquals(BodyFormat.JSON, BodyFormat.of("application/x-www-form-urlencoded"));
        assertEquals(BodyFormat.JSON, BodyFormat.of("Text/Plain"));
        assertEquals(BodyFormat.NDJSON, BodyFormat.of("application/x-ndjson"));
        IngestError e = assertThrows(IngestError.class, () -> BodyFormat.of("application/xml"));
        assertEquals(415, e.status());
    }

    @Test
    void gzipIsDecodedWithinTheLimit() throws IOException {
        byte[] json = "[{\"a\":1}]".getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(json, RequestBodies.decode(gzip(json), "gzip", 100));
        assertArrayEquals(json, RequestBodies.decode(json, null, 100));
        assertEquals(
                400,
                assertThrows(IngestError.class, () -> RequestBodies.decode(json, "gzip", 100))
                        .status());
        assertEquals(
                415,
                assertThrows(IngestError.class, () -> RequestBodies.decode(json, "br", 100))
                        .status());
    }

    @Test
    void aGzipBombStopsAtTheLimit() throws IOException {
        byte[] bomb = gzip(new byte[64 << 20]);
        assertTrue(bomb.length < 100_000, "64 MiB of zeros compresses to " + bomb.length);
        IngestError e = assertThrows(IngestError.class, () -> RequestBodies.decode(bomb, "gzip", 1 << 20));
        assertEquals(413, e.status());
    }

    @Test
    void tokens() {
        TokenCheck open = new TokenCheck(List.of());
        open.require(null, null);
        TokenCheck check = new TokenCheck(List.of("s3cret", "other"));
        check.require("Bearer s3cret", null);
        check.require("bearer other", null);
        check.require(null, "s3cret");
        assertEquals(
                401,
                assertThrows(IngestError.class, () -> check.require(null, null)).status());
        assertEquals(
                401,
                assertThrows(IngestError.class, () -> check.require("Basic abc", null))
                        .status());
        assertEquals(
                403,
                assertThrows(IngestError.class, () -> check.require("Bearer wrong", null))
                        .status());
        assertFalse(check.accepts("s3cret "));
    }

    @Test
    void corsOrigins() {
        CorsPolicy exact = new CorsPolicy(List.of("https://app.example.com"));
        assertEquals("https://app.example.com", exact.allowOrigin("https://app.example.com"));
        assertNull(exact.allowOrigin("https://evil.example.com"));
        assertNull(exact.allowOrigin(null));
        assertEquals("*", new CorsPolicy(List.of("*")).allowOrigin("https://any.example"));
        assertFalse(new CorsPolicy(List.of()).isEnabled());
    }

    @Test
    void partitionKeys() throws IOException {
        ObjectNode record = (ObjectNode) new ObjectMapper()
                .readTree("{\"merchantId\":42,\"name\":\"shop\",\"customer\":{\"id\":\"c-1\"},\"none\":null}");
        assertArrayEquals(
                "42".getBytes(StandardCharsets.UTF_8),
                PartitionKey.of("$.merchantId").keyOf(record));
        assertArrayEquals(
                "shop".getBytes(StandardCharsets.UTF_8),
                PartitionKey.of("$.name").keyOf(record));
        assertArrayEquals(
                "c-1".getBytes(StandardCharsets.UTF_8),
                PartitionKey.of("$.customer.id").keyOf(record));
        assertNull(PartitionKey.of("$.none").keyOf(record));
        assertNull(PartitionKey.of("$.missing.deeper").keyOf(record));
    }
}

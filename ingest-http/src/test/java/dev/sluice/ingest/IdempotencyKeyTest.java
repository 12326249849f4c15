package dev.sluice.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class IdempotencyKeyTest {
    @Test
    void aHeaderKeyCarriesTheDigestOfItsBody() {
        IdempotencyKey a = IdempotencyKey.of("order-1", utf8("{\"id\":1}"));
        assertEquals("order-1", a.key());
        assertEquals(
                a.digest(), IdempotencyKey.of("order-1", utf8("{\"id\":1}")).digest());
        assertNotEquals(
                a.digest(), IdempotencyKey.of("order-1", utf8("{\"id\":2}")).digest());
        assertEquals(8, a.digest().length());
        assertNull(IdempotencyKey.of(null, utf8("{}")));
    }

    @Test
    void keysAreOneTo255VisibleAsciiCharacters() {
        IdempotencyKey.of("x".repeat(255), utf8("{}"));
        for (String bad : new String[] {"", "x".repeat(256), "a b", "tab\t", "é"}) {
            IngestError e = assertThrows(IngestError.class, () -> IdempotencyKey.of(bad, utf8("{}")));
            assertEquals(ErrorCode.INVALID_IDEMPOTENCY_KEY, e.code());
        }
    }

    @Test
    void aFrameMayStartWithItsKeyOnALineOfItsOwn() {
        IdempotencyKey.Frame keyed = IdempotencyKey.ofFrame(utf8("Idempotency-Key: k-1\n{\"id\":1}\n{\"id\":2}"));
        assertEquals("k-1", keyed.key().key());
        assertArrayEquals(utf8("{\"id\":1}\n{\"id\":2}"), keyed.records());
        assertEquals(IdempotencyKey.of("k-1", utf8("{\"id\":1}\n{\"id\":2}")), keyed.key());

        IdempotencyKey.Frame crlf = IdempotencyKey.ofFrame(utf8("idempotency-key:k-1\r\n[{\"id\":1}]"));
        assertEquals("k-1", crlf.key().key());
        assertArrayEquals(utf8("[{\"id\":1}]"), crlf.records());

        byte[] plain = utf8("{\"id\":1}");
        IdempotencyKey.Frame unkeyed = IdempotencyKey.ofFrame(plain);
        assertNull(unkeyed.key());
        assertSame(plain, unkeyed.records());
    }

    @Test
    void aKeyLineWithoutRecordsAfterItIsRefused() {
        IngestError e = assertThrows(IngestError.class, () -> IdempotencyKey.ofFrame(utf8("Idempotency-Key: k")));
        assertEquals(ErrorCode.INVALID_IDEMPOTENCY_KEY, e.code());
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}

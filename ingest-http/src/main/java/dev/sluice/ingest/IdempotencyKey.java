package dev.sluice.ingest;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * A request's {@code Idempotency-Key} and the digest of its body: the key says "this is the same request"
 * when a client retries, the digest tells a retry from the key reused for another body.
 *
 * <p>A WebSocket frame carries its key on a first line of its own, {@code Idempotency-Key: k}, before the
 * records; a frame without that line is a plain frame, as before (records start with a brace or a bracket).
 *
 * @param key    1 to 255 visible ASCII characters (a UUID is typical)
 * @param digest the CRC32C of the (decoded) body, 8 hex digits: cheap, and enough to catch a reused key
 */
record IdempotencyKey(String key, String digest) {
    static final String HEADER = "Idempotency-Key";
    static final int MAX_LENGTH = 255;
    private static final byte[] FRAME_PREFIX = (HEADER + ":").getBytes(StandardCharsets.US_ASCII);

    IdempotencyKey {
        if (key.isEmpty() || key.length() > MAX_LENGTH || !key.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new IngestError(
                    ErrorCode.INVALID_IDEMPOTENCY_KEY,
                    HEADER + " must be 1 to " + MAX_LENGTH + " visible ASCII characters (no spaces), e.g. a UUID");
        }
    }

    /** The key of a request whose header is {@code header} (null: the request has none). */
    static IdempotencyKey of(String header, byte[] body) {
        return header == null ? null : new IdempotencyKey(header, digest(body, 0, body.length));
    }

    /** A WebSocket frame split into its key (or null) and its records. */
    static final class Frame {
        private final IdempotencyKey key;
        private final byte[] records;

        Frame(IdempotencyKey key, byte[] records) {
            this.key = key;
            this.records = records;
        }

        IdempotencyKey key() {
            return key;
        }

        byte[] records() {
            return records;
        }
    }

    /** Splits {@code Idempotency-Key: k\n} off the front of a frame, when it has that line. */
    static Frame ofFrame(byte[] frame) {
        if (!startsWithPrefix(frame)) {
            return new Frame(null, frame);
        }
        int newline = indexOf(frame, (byte) '\n', FRAME_PREFIX.length);
        if (newline < 0) {
            throw new IngestError(
                    ErrorCode.INVALID_IDEMPOTENCY_KEY,
                    "a frame that starts with '" + HEADER + ":' needs a newline after the key, then its records");
        }
        int end = newline > 0 && frame[newline - 1] == '\r' ? newline - 1 : newline;
        String key =
                new String(frame, FRAME_PREFIX.length, end - FRAME_PREFIX.length, StandardCharsets.US_ASCII).strip();
        byte[] records = Arrays.copyOfRange(frame, newline + 1, frame.length);
        return new Frame(new IdempotencyKey(key, digest(records, 0, records.length)), records);
    }

    private static boolean startsWithPrefix(byte[] frame) {
        if (frame.length < FRAME_PREFIX.length) {
            return false;
        }
        for (int i = 0; i < FRAME_PREFIX.length; i++) {
            if (Character.toLowerCase(frame[i]) != Character.toLowerCase(FRAME_PREFIX[i])) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(byte[] bytes, byte b, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static String digest(byte[] bytes, int from, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, from, length);
        return String.format("%08x", crc.getValue());
    }

    byte[] keyBytes() {
        return key.getBytes(StandardCharsets.US_ASCII);
    }

    byte[] digestBytes() {
        return digest.getBytes(StandardCharsets.US_ASCII);
    }
}

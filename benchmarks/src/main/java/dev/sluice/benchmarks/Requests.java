package dev.sluice.benchmarks;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The requests the load driver sends, built once: 512 bodies of distinct records (a JSON array, one
 * object, or NDJSON for WebSocket frames), each with its HTTP header or WebSocket frame header. With
 * {@code keyed}, every request gets an {@code Idempotency-Key} of its own; only that small part is
 * built per request.
 */
final class Requests {
    private final boolean webSocket;
    private final String httpHead;
    private final ByteBuffer[] heads;
    private final ByteBuffer[] bodies;
    private final String keyPrefix;
    private long sent;

    Requests(boolean webSocket, String hostAndPort, String path, int records, int recordBytes, boolean keyed) {
        this.webSocket = webSocket;
        this.httpHead = "POST " + path + " HTTP/1.1\r\nHost: " + hostAndPort + "\r\nContent-Type: application/json\r\n";
        this.keyPrefix =
                keyed ? "load-" + Long.toHexString(ThreadLocalRandom.current().nextLong()) + "-" : null;
        heads = new ByteBuffer[512];
        bodies = new ByteBuffer[512];
        for (int b = 0; b < bodies.length; b++) {
            byte[] body =
                    body(b, records, recordBytes, webSocket && records > 1).getBytes(StandardCharsets.UTF_8);
            bodies[b] = ByteBuffer.wrap(body).asReadOnlyBuffer();
            heads[b] = ByteBuffer.wrap(
                            webSocket ? WsLoadConnection.frameHeader(body.length) : httpHeader(body.length, null))
                    .asReadOnlyBuffer();
        }
    }

    /** The next request, as parts to write in order. */
    ByteBuffer[] next() {
        int b = (int) (sent++ % bodies.length);
        ByteBuffer body = bodies[b].duplicate();
        if (keyPrefix == null) {
            return new ByteBuffer[] {heads[b].duplicate(), body};
        }
        String key = keyPrefix + sent;
        if (!webSocket) {
            return new ByteBuffer[] {ByteBuffer.wrap(httpHeader(body.remaining(), key)), body};
        }
        byte[] line = ("Idempotency-Key: " + key + "\n").getBytes(StandardCharsets.US_ASCII);
        return new ByteBuffer[] {
            ByteBuffer.wrap(WsLoadConnection.frameHeader(line.length + body.remaining())), ByteBuffer.wrap(line), body
        };
    }

    private byte[] httpHeader(int contentLength, String key) {
        return (httpHead + "Content-Length: " + contentLength + "\r\n"
                        + (key == null ? "" : "Idempotency-Key: " + key + "\r\n") + "\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    /** {@code records} records of about {@code recordBytes} each, with ids unique within the 512 bodies. */
    private static String body(int b, int records, int recordBytes, boolean ndjson) {
        StringBuilder body = new StringBuilder(records * (recordBytes + 2));
        boolean array = records > 1 && !ndjson;
        if (array) {
            body.append('[');
        }
        for (int r = 0; r < records; r++) {
            String head = "{\"id\":\"" + b + "-" + r + "\",\"user\":\"u" + (r % 997)
                    + "\",\"event\":\"page_view\",\"ts\":\"2026-11-22T13:05:00Z\",\"url\":\"https://example.com/";
            body.append(r > 0 && array ? "," : "")
                    .append(head)
                    .append("p".repeat(Math.max(0, recordBytes - head.length() - 2)))
                    .append("\"}");
            if (ndjson) {
                body.append('\n');
            }
        }
        if (array) {
            body.append(']');
        }
        return body.toString();
    }
}

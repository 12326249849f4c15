package dev.sluice.benchmarks;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;

/**
 * A WebSocket connection with up to {@code window} frames unanswered. Sluice answers frames in the
 * order they were sent, so the oldest unanswered frame is the one an answer belongs to.
 */
final class WsLoadConnection extends LoadConnection {
    private static final byte[] SUCCESS = "\"success\":true".getBytes(StandardCharsets.US_ASCII);

    WsLoadConnection(InetSocketAddress address, String path, Selector selector, int window, Answers answers)
            throws IOException {
        super(
                address,
                selector,
                window,
                answers,
                "GET " + path + " HTTP/1.1\r\nHost: " + address.getHostString() + ":" + address.getPort()
                        + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Key: c2x1aWNlLWJlbmNobWFyaw==\r\nSec-WebSocket-Version: 13\r\n\r\n");
    }

    @Override
    boolean parse(long nowNanos) {
        int start = in.position();
        int available = in.remaining();
        if (available < 2) {
            return false;
        }
        int opcode = in.get(start) & 0x0F;
        int shortLength = in.get(start + 1) & 0x7F;
        int header = 2;
        long length = shortLength;
        if (shortLength == 126) {
            header = 4;
            length = available < header ? 0 : in.getShort(start + 2) & 0xFFFF;
        } else if (shortLength == 127) {
            header = 10;
            length = available < header ? 0 : in.getLong(start + 2);
        }
        if (available < header || available < header + length) {
            return false;
        }
        int payload = start + header;
        in.position(payload + (int) length);
        if (opcode == 0x8) {
            throw new IllegalStateException("the server closed the WebSocket");
        }
        if (opcode != 0x1) {
            return true; // ping or pong
        }
        long due = answered();
        if (contains(payload, (int) length, SUCCESS)) {
            answers.acknowledged(due, nowNanos);
        } else {
            String answer = new String(in.array(), payload, (int) length, StandardCharsets.UTF_8);
            answers.failed(answer.contains("\"backpressure\"") ? 429 : 400, nowNanos);
        }
        return true;
    }

    private boolean contains(int from, int length, byte[] needle) {
        outer:
        for (int i = from; i + needle.length <= from + length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (in.get(i + j) != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /**
     * The header of a client text frame of {@code payloadLength} bytes. Clients must mask; the mask key
     * here is zero, which leaves the payload as it is, so a pre-built payload is sent without a copy.
     */
    static byte[] frameHeader(int payloadLength) {
        byte[] header;
        if (payloadLength < 126) {
            header = new byte[] {(byte) 0x81, (byte) (0x80 | payloadLength), 0, 0, 0, 0};
        } else if (payloadLength < 65536) {
            header = new byte[] {
                (byte) 0x81, (byte) (0x80 | 126), (byte) (payloadLength >> 8), (byte) payloadLength, 0, 0, 0, 0
            };
        } else {
            header = new byte[14];
            header[0] = (byte) 0x81;
            header[1] = (byte) (0x80 | 127);
            for (int i = 0; i < 8; i++) {
                header[2 + i] = (byte) ((long) payloadLength >> (56 - 8 * i));
            }
        }
        return header;
    }
}

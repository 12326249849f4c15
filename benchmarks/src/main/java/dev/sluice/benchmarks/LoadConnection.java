package dev.sluice.benchmarks;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;

/**
 * One non-blocking connection of the load driver. It writes pre-built requests and reads answers
 * on the driver's single selector thread; what an answer looks like is the subclass's business.
 * Every request carries the instant it was due, so an answer's latency counts the time the request
 * waited for a free connection (no coordinated omission).
 */
abstract class LoadConnection {
    /** What the driver does with an answer. */
    interface Answers {
        void acknowledged(long dueNanos, long nowNanos);

        void failed(int status, long nowNanos);
    }

    private final SocketChannel channel;
    private final SelectionKey key;
    private final ArrayDeque<ByteBuffer> unwritten = new ArrayDeque<>();
    final ByteBuffer in = ByteBuffer.allocate(256 << 10);
    final Answers answers;
    private final long[] dues;
    private int oldest;
    private int inFlight;

    /** Connects (blocking), then sends {@code greeting} and reads until its answer's header ends. */
    LoadConnection(InetSocketAddress address, Selector selector, int window, Answers answers, String greeting)
            throws IOException {
        this.answers = answers;
        this.dues = new long[window];
        channel = SocketChannel.open(address);
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        if (greeting != null) {
            channel.write(ByteBuffer.wrap(greeting.getBytes(StandardCharsets.ISO_8859_1)));
            int headerEnd;
            while ((headerEnd = headerEnd(in, 0, in.position())) < 0) {
                if (channel.read(in) < 0) {
                    throw new IOException("connection closed during the handshake");
                }
            }
            String header = new String(in.array(), 0, headerEnd, StandardCharsets.ISO_8859_1);
            if (!header.startsWith("HTTP/1.1 101")) {
                throw new IOException(
                        "handshake refused: " + header.lines().findFirst().orElse(""));
            }
            in.flip().position(headerEnd);
            in.compact();
        }
        channel.configureBlocking(false);
        key = channel.register(selector, SelectionKey.OP_READ, this);
    }

    /** True while another request may be sent without waiting for an answer. */
    final boolean hasRoom() {
        return inFlight < dues.length;
    }

    final int inFlight() {
        return inFlight;
    }

    /** Sends one request, made of {@code parts} in order, that was due at {@code dueNanos}. */
    final void send(ByteBuffer[] parts, long dueNanos) throws IOException {
        dues[(oldest + inFlight) % dues.length] = dueNanos;
        inFlight++;
        for (ByteBuffer part : parts) {
            unwritten.addLast(part);
        }
        flush();
    }

    /** Writes what the socket takes now; asks the selector for the rest. */
    final void flush() throws IOException {
        while (!unwritten.isEmpty()) {
            ByteBuffer head = unwritten.peekFirst();
            channel.write(head);
            if (head.hasRemaining()) {
                key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                return;
            }
            unwritten.pollFirst();
        }
        key.interestOps(SelectionKey.OP_READ);
    }

    /** Reads what has arrived and hands every complete answer to {@link #parse}. */
    final void read(long nowNanos) throws IOException {
        if (channel.read(in) < 0) {
            throw new IOException("the server closed the connection");
        }
        in.flip();
        while (in.hasRemaining() && parse(nowNanos)) {
            // parse consumed one answer
        }
        in.compact();
        if (!in.hasRemaining()) {
            throw new IOException("an answer larger than " + in.capacity() + " bytes");
        }
    }

    /** Consumes one complete answer from {@link #in} (flipped) and returns true, or leaves it and returns false. */
    abstract boolean parse(long nowNanos);

    /** The due instant of the oldest unanswered request, which the answer just read belongs to. */
    final long answered() {
        long due = dues[oldest];
        oldest = (oldest + 1) % dues.length;
        inFlight--;
        return due;
    }

    final void close() throws IOException {
        key.cancel();
        channel.close();
    }

    /** The index just past the first "\r\n\r\n" in {@code buffer} between {@code from} and {@code to}, or -1. */
    static int headerEnd(ByteBuffer buffer, int from, int to) {
        for (int i = from; i + 3 < to; i++) {
            if (buffer.get(i) == '\r'
                    && buffer.get(i + 1) == '\n'
                    && buffer.get(i + 2) == '\r'
                    && buffer.get(i + 3) == '\n') {
                return i + 4;
            }
        }
        return -1;
    }
}

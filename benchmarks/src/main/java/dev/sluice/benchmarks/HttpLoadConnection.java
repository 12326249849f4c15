package dev.sluice.benchmarks;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.Selector;

/** An HTTP/1.1 keep-alive connection with one request in flight at a time, as browsers and wrk use. */
final class HttpLoadConnection extends LoadConnection {
    private static final byte[] CONTENT_LENGTH = "content-length:".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    HttpLoadConnection(InetSocketAddress address, Selector selector, Answers answers) throws IOException {
        super(address, selector, 1, answers, null);
    }

    @Override
    boolean parse(long nowNanos) {
        int start = in.position();
        int end = headerEnd(in, start, in.limit());
        if (end < 0) {
            return false;
        }
        int bodyEnd = end + contentLength(start, end);
        if (bodyEnd > in.limit()) {
            return false;
        }
        int status = (in.get(start + 9) - '0') * 100 + (in.get(start + 10) - '0') * 10 + (in.get(start + 11) - '0');
        in.position(bodyEnd);
        long due = answered();
        if (status == 200) {
            answers.acknowledged(due, nowNanos);
        } else {
            answers.failed(status, nowNanos);
        }
        return true;
    }

    /** The Content-Length of the header between {@code from} and {@code to}; Sluice always sends one. */
    private int contentLength(int from, int to) {
        for (int line = from; line < to; line++) {
            if (in.get(line) != '\n' || !startsWithIgnoringCase(line + 1, to)) {
                continue;
            }
            int at = line + 1 + CONTENT_LENGTH.length;
            while (in.get(at) == ' ') {
                at++;
            }
            int length = 0;
            for (byte b; (b = in.get(at)) >= '0' && b <= '9'; at++) {
                length = length * 10 + (b - '0');
            }
            return length;
        }
        throw new IllegalStateException("an answer without Content-Length");
    }

    private boolean startsWithIgnoringCase(int at, int to) {
        if (at + CONTENT_LENGTH.length > to) {
            return false;
        }
        for (int i = 0; i < CONTENT_LENGTH.length; i++) {
            if (Character.toLowerCase(in.get(at + i)) != CONTENT_LENGTH[i]) {
                return false;
            }
        }
        return true;
    }
}

package dev.sluice.sink;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Records of a batch that its format could not hold, each with the reason, kept in a file beside the
 * batch so that a batch of nothing but bad records costs no heap.
 */
final class Rejects implements AutoCloseable {
    private final Path file;
    private DataOutputStream out;
    private long count;

    Rejects(Path file) {
        this.file = file;
    }

    void add(byte[] value, String reason) throws IOException {
        if (out == null) {
            out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file)));
        }
        out.writeUTF(reason.length() > 1000 ? reason.substring(0, 1000) : reason);
        out.writeInt(value.length);
        out.write(value);
        count++;
    }

    long count() {
        return count;
    }

    interface Visitor {
        void accept(byte[] value, String reason);
    }

    /** Reads every rejected record back, in the order they were added. */
    void forEach(Visitor visitor) {
        if (count == 0) {
            return;
        }
        try {
            out.flush();
            try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
                for (long i = 0; i < count; i++) {
                    String reason = in.readUTF();
                    byte[] value = new byte[in.readInt()];
                    in.readFully(value);
                    visitor.accept(value, reason);
                }
            }
        } catch (EOFException e) {
            throw new IllegalStateException("rejected-records file " + file + " is truncated", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            if (out != null) {
                out.close();
            }
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

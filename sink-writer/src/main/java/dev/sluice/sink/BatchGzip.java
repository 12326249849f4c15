package dev.sluice.sink;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * The {@code .json.gz} object of a batch, compressed while the batch fills: every {@link #CHUNK} bytes the
 * sink thread writes to the spool file are queued for compression on the sink's gzip threads, so when the
 * batch is rotated only its last chunk is left. Gzipping the whole spool file after rotation put seconds
 * between a big batch's {@code maxDuration} and its object.
 *
 * <p>A batch's chunks are compressed in order, one after another (the stages of one future chain), reading
 * the spool file where the sink thread flushed it. Each chunk is deflated on its own, primed with the 32 KB
 * before it (deflate's whole window, so the ratio is that of one pass), and ends on a byte boundary, so the
 * chunks make one deflate stream; the gzip header, CRC and length around them are gzip's (RFC 1952). Between
 * chunks a batch holds no open file and no zlib memory: a thousand open batches cost what they did.
 *
 * <p>The spool file stays the batch's content: when compression fails, the upload gzips it again.
 */
final class BatchGzip {
    /** Spool bytes queued at a time: big enough that queueing costs nothing, small enough to trail closely. */
    static final long CHUNK = 1 << 20;

    /** Deflate's window: how far back a match may reach. */
    private static final int WINDOW = 32 * 1024;

    /** A gzip member header as {@link java.util.zip.GZIPOutputStream} writes it: deflate, no name, no time, OS unknown. */
    private static final byte[] HEADER = {0x1f, (byte) 0x8b, Deflater.DEFLATED, 0, 0, 0, 0, 0, 0, (byte) 0xff};

    /** Each gzip thread's deflater, reset for every chunk: zlib's ~270 KB of state is too much to set up per chunk. */
    private static final ThreadLocal<LevelDeflater> DEFLATERS = new ThreadLocal<>();

    private record LevelDeflater(int level, Deflater deflater) {}

    private final Path spool;
    private final Path gz;
    private final int level;
    private final Executor threads;
    private final long chunk;

    // The sink thread's.
    private long queued;
    private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);

    // The compression chain's: its stages run one at a time, each after the previous completed.
    private long compressed;
    private final CRC32 crc = new CRC32();

    BatchGzip(Path spool, Path gz, int level, Executor threads) {
        this(spool, gz, level, threads, CHUNK);
    }

    BatchGzip(Path spool, Path gz, int level, Executor threads, long chunk) {
        this.spool = spool;
        this.gz = gz;
        this.level = level;
        this.threads = threads;
        this.chunk = chunk;
    }

    /** Whether the spool file grew by a chunk since the last one was queued. */
    boolean due(long written) {
        return written - queued >= chunk;
    }

    /** Queues the spool's bytes up to {@code written}, which must already be in the file (flushed). */
    void queue(long written) {
        queued = written;
        tail = tail.thenRunAsync(() -> compress(written, false), threads);
    }

    /**
     * Queues the rest of the spool file and the gzip trailer.
     *
     * @param written the spool file's final length, already flushed
     * @return the gzip file once complete; on failure its partial file is gone
     */
    CompletableFuture<Path> finish(long written) {
        tail = tail.thenRunAsync(() -> compress(written, true), threads).whenComplete((ok, failed) -> {
            if (failed != null) {
                SpoolDir.delete(gz);
            }
        });
        return tail.thenApply(ok -> gz);
    }

    /** The batch is dropped: once queued chunks are done with, the gzip file goes too. */
    void abandon() {
        Future<?> unused = tail.whenComplete((ok, failed) -> SpoolDir.delete(gz)); // delete reports nothing
    }

    private static Deflater deflater(int level) {
        LevelDeflater mine = DEFLATERS.get();
        if (mine == null || mine.level() != level) {
            if (mine != null) {
                mine.deflater().end();
            }
            mine = new LevelDeflater(level, new Deflater(level, true));
            DEFLATERS.set(mine);
        }
        mine.deflater().reset();
        return mine.deflater();
    }

    private void compress(long upTo, boolean last) {
        Deflater deflater = deflater(level);
        try (FileChannel in = FileChannel.open(spool, StandardOpenOption.READ);
                OutputStream out = Files.newOutputStream(gz, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            byte[] input = new byte[64 * 1024];
            byte[] output = new byte[64 * 1024];
            if (compressed == 0) {
                out.write(HEADER);
            } else {
                long from = Math.max(0, compressed - WINDOW);
                read(in, input, from, (int) (compressed - from));
                deflater.setDictionary(input, 0, (int) (compressed - from));
            }
            while (compressed < upTo) {
                int n = read(in, input, compressed, (int) Math.min(input.length, upTo - compressed));
                crc.update(input, 0, n);
                compressed += n;
                deflater.setInput(input, 0, n);
                while (!deflater.needsInput()) {
                    out.write(output, 0, deflater.deflate(output));
                }
            }
            if (last) {
                deflater.finish();
                while (!deflater.finished()) {
                    out.write(output, 0, deflater.deflate(output));
                }
                writeIntLe(out, crc.getValue());
                writeIntLe(out, compressed); // gzip keeps the length modulo 2^32
            } else {
                // Everything out, ending on a byte boundary, with no final block: the next chunk continues the stream.
                int n;
                do {
                    n = deflater.deflate(output, 0, output.length, Deflater.SYNC_FLUSH);
                    out.write(output, 0, n);
                } while (n == output.length);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot gzip spool file " + spool, e);
        }
    }

    private int read(FileChannel in, byte[] into, long position, int length) throws IOException {
        ByteBuffer window = ByteBuffer.wrap(into, 0, length);
        while (window.hasRemaining()) {
            if (in.read(window, position + window.position()) < 0) {
                throw new IOException("spool file " + spool + " ends before byte " + (position + length));
            }
        }
        return length;
    }

    private static void writeIntLe(OutputStream out, long value) throws IOException {
        out.write((int) value & 0xff);
        out.write((int) (value >> 8) & 0xff);
        out.write((int) (value >> 16) & 0xff);
        out.write((int) (value >> 24) & 0xff);
    }
}

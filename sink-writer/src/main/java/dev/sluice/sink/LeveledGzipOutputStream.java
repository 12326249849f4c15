package dev.sluice.sink;

import java.io.IOException;
import java.io.OutputStream;
import java.util.zip.GZIPOutputStream;

/** A gzip stream at a chosen level: {@link GZIPOutputStream}'s constructors offer only the default (6). */
final class LeveledGzipOutputStream extends GZIPOutputStream {
    LeveledGzipOutputStream(OutputStream out, int level) throws IOException {
        super(out, 64 * 1024);
        def.setLevel(level);
    }
}

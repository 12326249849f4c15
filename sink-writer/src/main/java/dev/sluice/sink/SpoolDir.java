package dev.sluice.sink;

import com.github.f4b6a3.ulid.UlidCreator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The local folder of a pipeline's sink ({@code <data-dir>/sink/<pipeline>}): spool files of open
 * batches and scratch files of objects being encoded. Nothing in it needs to survive a crash (the
 * state topic and Kafka rebuild any batch), so it is emptied at start.
 */
final class SpoolDir {
    private final Path dir;

    SpoolDir(Path dir) {
        this.dir = dir;
    }

    /** Creates the folder, or empties what a previous run left in it. */
    void prepare() {
        try {
            Files.createDirectories(dir);
            try (Stream<Path> files = Files.list(dir)) {
                for (Path file : files.toList()) {
                    Files.deleteIfExists(file);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the sink's spool folder " + dir, e);
        }
    }

    /** A new, unique file name in the folder. */
    Path newFile(String suffix) {
        return dir.resolve(UlidCreator.getMonotonicUlid() + suffix);
    }

    static void delete(Path file) {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

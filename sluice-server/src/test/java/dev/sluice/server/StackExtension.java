package dev.sluice.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * One dev stack (broker + store + every role) shared by a test class, on free loopback ports in a fresh
 * folder, with an S3 client on its store; started before the class's first test, stopped after its last.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final StackExtension running = new StackExtension("""
 *         pipelines:
 *           - name: events
 *         """);
 * }</pre>
 */
final class StackExtension implements BeforeAllCallback, AfterAllCallback {
    private final String yaml;
    private Path dataDir;
    private TestStack.Running running;

    StackExtension(String yaml) {
        this.yaml = yaml;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        dataDir = Files.createTempDirectory(
                "sluice-" + context.getRequiredTestClass().getSimpleName() + "-");
        running = TestStack.Running.start(dataDir, yaml);
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        try {
            if (running != null) {
                running.close();
            }
        } finally {
            try (Stream<Path> files = Files.walk(dataDir)) {
                for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(file);
                }
            }
        }
    }

    DevStack stack() {
        return running.stack();
    }

    S3Client s3() {
        return running.s3();
    }

    /** Where the stack keeps its data. */
    Path dataDir() {
        if (dataDir == null) {
            throw new UncheckedIOException(new IOException("the stack has not started"));
        }
        return dataDir;
    }
}

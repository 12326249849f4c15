package dev.sluice.server;

import dev.sluice.config.SluiceConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code sluice run --roles sink} in a child JVM, against the broker and store of a test's dev stack:
 * a sink the test can kill -9. Each start appends to one log file.
 */
final class SinkProcess implements AutoCloseable {
    private final Path config;
    private final Path dataDir;
    private final Path log;
    private Process process;
    private int logLengthAtStart;

    /**
     * @param pipelinesYaml the {@code pipelines:} section, as the stack runs it
     * @param stack         whose Kafka and store the sink uses
     */
    SinkProcess(String pipelinesYaml, DevStack stack, Path dir) {
        this.dataDir = dir.resolve("sink-data");
        this.log = dir.resolve("sink.log");
        this.config = dir.resolve("sink.yaml");
        SluiceConfig running = stack.config();
        String yaml = pipelinesYaml
                + "kafka:\n  bootstrapServers: " + running.kafka().bootstrapServers() + "\n"
                + "storage:\n  endpoint: " + running.storage().endpoint() + "\n"
                + "  accessKey: " + running.storage().accessKey() + "\n"
                + "  secretKey: " + running.storage().secretKey() + "\n";
        try {
            Files.writeString(config, yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void start(String... jvmOptions) {
        logLengthAtStart = log().length();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), SluiceCli.class.getName(),
                "run", "--roles", "sink", "--config", config.toString(), "--data-dir", dataDir.toString()));
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** kill -9, and wait until the process is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    /** SIGTERM (a graceful stop, like Ctrl-C); true when it ended in time. */
    boolean stop(long seconds) throws InterruptedException {
        process.destroy();
        return process.waitFor(seconds, TimeUnit.SECONDS);
    }

    /** Waits for the process to end by itself (e.g. at a crash point); true when it did. */
    boolean awaitExit(long millis) throws InterruptedException {
        return process.waitFor(millis, TimeUnit.MILLISECONDS);
    }

    /** What the process logged since its last start. */
    String logOfThisRun() {
        return log().substring(logLengthAtStart);
    }

    String log() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Kills what still runs, and copies the child's log into the test's output for whoever reads a failure. */
    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            kill();
        }
        System.out.println("----- sink child process log -----\n" + log() + "----- end of sink child process log -----");
    }
}

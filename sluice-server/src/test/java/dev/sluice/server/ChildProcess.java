package dev.sluice.server;

import dev.sluice.config.SluiceConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Sluice in a child JVM the test can kill -9: {@code sluice run --roles …} against the broker and store
 * of a test's dev stack (a sink, a workflows engine), or a whole {@code sluice dev}. Each start appends
 * to one log file.
 */
final class ChildProcess implements AutoCloseable {
    /**
     * C1 only. A test runs up to eleven child JVMs (brokers, role processes) on a 2-core CI box, each for minutes under
     * a light load, restarted after every kill; their C2 compilers spent more of the two cores warming each fresh JVM
     * up than the processes spent serving (ClusterTest: 642 s with C2, 340 s without, same box). C1 code does what C2
     * code does, so no guarantee a test proves depends on the tier; the benchmarks measure the real JIT.
     */
    private static final List<String> CHILD_JVM_OPTIONS = List.of("-XX:TieredStopAtLevel=1");

    private final String name;
    private final String mainClass;
    private final List<String> arguments;
    private final Path log;
    private Process process;
    private int logLengthAtStart;

    private ChildProcess(String name, List<String> arguments, Path dir) {
        this(name, SluiceCli.class.getName(), arguments, dir);
    }

    private ChildProcess(String name, String mainClass, List<String> arguments, Path dir) {
        this.name = name;
        this.mainClass = mainClass;
        this.arguments = arguments;
        this.log = dir.resolve(name + ".log");
    }

    /** Any main class of the test classpath, e.g. a Kafka broker of a test cluster. */
    static ChildProcess main(String name, Class<?> mainClass, List<String> arguments, Path dir) {
        return new ChildProcess(name, mainClass.getName(), arguments, dir);
    }

    /** {@code sluice run} on a configuration file of the test's own, HTTP on {@code httpPort} (0: any). */
    static ChildProcess run(String name, String roles, Path config, Path dir, int httpPort) {
        return new ChildProcess(
                name,
                List.of(
                        "run",
                        "--roles",
                        roles,
                        "--config",
                        config.toString(),
                        "--data-dir",
                        dir.resolve(name + "-data").toString(),
                        "--http-port",
                        Integer.toString(httpPort),
                        "--admin-port",
                        Integer.toString(TestStack.freePorts(1)[0])),
                dir);
    }

    /** A sink: {@code sluice run --roles sink}. */
    static ChildProcess sink(String pipelinesYaml, DevStack stack, Path dir) {
        return run("sink", "sink", pipelinesYaml, stack, dir, 0);
    }

    /**
     * {@code sluice run}.
     *
     * @param name          names its data folder, config and log in {@code dir}
     * @param roles         what it runs, e.g. {@code workflows}
     * @param pipelinesYaml the {@code pipelines:} (and {@code workflows:}) sections, as the stack runs them
     * @param stack         whose Kafka and store the process uses
     * @param httpPort      where it serves HTTP (the workflows REST API of a workflows-only process); 0 for any
     */
    static ChildProcess run(String name, String roles, String pipelinesYaml, DevStack stack, Path dir, int httpPort) {
        SluiceConfig running = stack.config();
        Path config = write(
                dir.resolve(name + ".yaml"),
                pipelinesYaml
                        + "kafka:\n  bootstrapServers: " + running.kafka().bootstrapServers() + "\n"
                        + "storage:\n  endpoint: " + running.storage().endpoint() + "\n"
                        + "  accessKey: " + running.storage().accessKey() + "\n"
                        + "  secretKey: " + running.storage().secretKey() + "\n");
        return new ChildProcess(
                name,
                List.of(
                        "run",
                        "--roles",
                        roles,
                        "--config",
                        config.toString(),
                        "--data-dir",
                        dir.resolve(name + "-data").toString(),
                        "--http-port",
                        Integer.toString(httpPort),
                        "--admin-port",
                        Integer.toString(TestStack.freePorts(1)[0])),
                dir);
    }

    /** The admin port of a {@code sluice run} child ({@code /healthz}, {@code /metrics}). */
    int adminPort() {
        int at = arguments.indexOf("--admin-port");
        if (at < 0) {
            throw new IllegalStateException(name + " is not a sluice run process");
        }
        return Integer.parseInt(arguments.get(at + 1));
    }

    /** A whole {@code sluice dev} (broker, store and every role) on fixed ports, so a restart finds them again. */
    static ChildProcess dev(String name, String yaml, Path dir, DevOptions ports) {
        Path config = write(dir.resolve(name + ".yaml"), yaml);
        return new ChildProcess(
                name,
                List.of(
                        "dev",
                        "--config",
                        config.toString(),
                        "--data-dir",
                        dir.resolve(name + "-data").toString(),
                        "--http-port",
                        Integer.toString(ports.httpPort()),
                        "--kafka-port",
                        Integer.toString(ports.kafkaPort()),
                        "--kafka-controller-port",
                        Integer.toString(ports.kafkaControllerPort()),
                        "--s3-port",
                        Integer.toString(ports.s3Port())),
                dir);
    }

    private static Path write(Path file, String text) {
        try {
            return Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void start(String... jvmOptions) {
        logLengthAtStart = log().length();
        List<String> command = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(CHILD_JVM_OPTIONS);
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(arguments);
        try {
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String name() {
        return name;
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
        terminate();
        return awaitExit(seconds);
    }

    /** SIGTERM, without waiting: to stop several processes at once. */
    void terminate() {
        process.destroy();
    }

    /** True when the process ended within {@code seconds}. */
    boolean awaitExit(long seconds) throws InterruptedException {
        return process.waitFor(seconds, TimeUnit.SECONDS);
    }

    /** The threads of the running process and what each is doing ({@code jcmd Thread.print}), for a failure's message. */
    String threadDump() {
        try {
            Process jcmd = new ProcessBuilder(
                            Path.of(System.getProperty("java.home"), "bin", "jcmd")
                                    .toString(),
                            Long.toString(process.pid()),
                            "Thread.print")
                    .redirectErrorStream(true)
                    .start();
            String dump = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            jcmd.waitFor(30, TimeUnit.SECONDS);
            return dump;
        } catch (IOException e) {
            return "no thread dump: " + e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "no thread dump: interrupted";
        }
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
        System.out.println("----- " + name + " child process log -----\n" + log() + "----- end of " + name
                + " child process log -----");
    }
}

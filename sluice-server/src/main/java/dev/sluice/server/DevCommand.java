package dev.sluice.server;

import dev.sluice.config.ConfigException;
import dev.sluice.config.ConfigLoader;
import dev.sluice.config.SluiceConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sluice dev}: a real Kafka broker, a real S3-compatible store and every role, in this one process. */
@Command(
        name = "dev",
        mixinStandardHelpOptions = true,
        description =
                "Run Sluice on this machine: embedded Kafka broker and S3 server, ingest, processor, sink and workflows.")
final class DevCommand implements Callable<Integer> {

    @Option(
            names = "--data-dir",
            defaultValue = "./.sluice",
            description = "Kafka log, objects and state (default: ${DEFAULT-VALUE})")
    Path dataDir;

    @Option(names = "--http-port", defaultValue = "8080", description = "ingest HTTP port (default: ${DEFAULT-VALUE})")
    int httpPort;

    @Option(
            names = "--kafka-port",
            defaultValue = "9092",
            description = "Kafka listener port (default: ${DEFAULT-VALUE})")
    int kafkaPort;

    @Option(names = "--kafka-controller-port", description = "KRaft controller port (default: Kafka port + 1)")
    Integer kafkaControllerPort;

    @Option(names = "--s3-port", defaultValue = "9000", description = "S3 endpoint port (default: ${DEFAULT-VALUE})")
    int s3Port;

    @Option(
            names = "--roles",
            defaultValue = "ingest,processor,sink,workflows",
            description = "roles to run in this process (default: ${DEFAULT-VALUE})")
    String roles;

    @Option(
            names = "--config",
            description = "pipeline config (default: ./sluice.yaml if present, else one pipeline named 'events')")
    Path config;

    @Override
    public Integer call() {
        SluiceConfig pipelines;
        try {
            pipelines = loadConfig();
        } catch (ConfigException e) {
            System.err.println("sluice: configuration error: " + e.getMessage());
            return 2;
        }
        DevStack stack;
        try {
            DevOptions options = new DevOptions(
                    dataDir,
                    httpPort,
                    kafkaPort,
                    kafkaControllerPort != null ? kafkaControllerPort : kafkaPort + 1,
                    s3Port);
            stack = DevStack.start(pipelines, options, Role.parse(roles), written -> {});
        } catch (PortInUseException | ConfigException | IllegalArgumentException e) {
            System.err.println("sluice: " + e.getMessage());
            return 2;
        } catch (RuntimeException e) {
            LoggerFactory.getLogger(DevCommand.class).error("start-up failed", e);
            System.err.println("sluice: could not start: " + e.getMessage());
            return 1;
        }
        System.out.println(Banner.render(stack));
        RunUntilStopped.await(() -> {
            System.out.println("sluice: stopping; writing open batches…");
            stack.close();
        });
        return 0;
    }

    private SluiceConfig loadConfig() {
        if (config != null) {
            if (!Files.exists(config)) {
                throw new ConfigException("--config", "file " + config + " does not exist");
            }
            return ConfigLoader.load(config);
        }
        Path local = Path.of("sluice.yaml");
        if (Files.exists(local)) {
            return ConfigLoader.load(local);
        }
        return builtInDevPipeline();
    }

    static SluiceConfig builtInDevPipeline() {
        try (InputStream in = DevCommand.class.getResourceAsStream("/dev-pipeline.yaml")) {
            return new ConfigLoader(System.getenv()).parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

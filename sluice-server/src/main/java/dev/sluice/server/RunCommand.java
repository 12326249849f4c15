package dev.sluice.server;

import dev.sluice.config.ConfigException;
import dev.sluice.config.ConfigLoader;
import dev.sluice.config.SluiceConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sluice run}: the production shape. Kafka and the object store come from {@code sluice.yaml}
 * (nothing is embedded); {@code --roles} picks what this process does, and every role scales out by
 * starting more processes with the same configuration.
 */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        description = "Run Sluice roles against the Kafka cluster and object store named in the configuration.")
final class RunCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(RunCommand.class);

    @Option(names = "--config", required = true, description = "the configuration file (sluice.yaml)")
    Path config;

    @Option(
            names = "--roles",
            defaultValue = "ingest,processor,sink,workflows",
            description = "roles to run in this process (default: ${DEFAULT-VALUE})")
    String roles;

    @Option(
            names = "--data-dir",
            defaultValue = "./.sluice",
            description =
                    "local state: processor state stores, sink spool files, the instance id (default: ${DEFAULT-VALUE})")
    Path dataDir;

    @Option(
            names = "--host",
            defaultValue = "127.0.0.1",
            description = "address the HTTP server binds to (default: ${DEFAULT-VALUE})")
    String host;

    @Option(names = "--http-port", defaultValue = "8080", description = "ingest HTTP port (default: ${DEFAULT-VALUE})")
    int httpPort;

    @Option(
            names = "--admin-port",
            defaultValue = "8081",
            description = "port of /healthz and /metrics, served whatever the roles (default: ${DEFAULT-VALUE})")
    int adminPort;

    @Override
    public Integer call() {
        SluiceConfig loaded;
        Set<Role> selected;
        try {
            if (!Files.exists(config)) {
                throw new ConfigException("--config", "file " + config + " does not exist");
            }
            loaded = ConfigLoader.load(config);
            if (loaded.kafka() == null) {
                throw new ConfigException("kafka", "is required by sluice run (sluice dev embeds a broker)");
            }
            if (loaded.storage() == null) {
                throw new ConfigException("storage", "is required by sluice run (sluice dev embeds a store)");
            }
            selected = Role.parse(roles);
            if (adminPort == httpPort && adminPort != 0) {
                throw new IllegalArgumentException(
                        "--admin-port and --http-port are both " + adminPort + "; give each its own");
            }
            Ports.requireFree(host, adminPort, "admin: /healthz and /metrics", "--admin-port");
            if (selected.contains(Role.INGEST) || selected.contains(Role.WORKFLOWS)) {
                Ports.requireFree(host, httpPort, "HTTP", "--http-port");
            }
        } catch (ConfigException e) {
            System.err.println("sluice: configuration error: " + e.getMessage());
            return 2;
        } catch (IllegalArgumentException | PortInUseException e) {
            System.err.println("sluice: " + e.getMessage());
            return 2;
        }
        SluiceServer server;
        try {
            server = SluiceServer.start(
                    loaded, selected, dataDir.toAbsolutePath().normalize(), host, httpPort, adminPort, written -> {});
        } catch (ConfigException e) {
            // Something the user can fix (a missing class or jar): the message names it, no stack trace.
            System.err.println("sluice: configuration error: " + e.getMessage());
            return 2;
        } catch (RuntimeException e) {
            log.error("start-up failed", e);
            System.err.println("sluice: could not start: " + e.getMessage());
            return 1;
        }
        log.info(
                "sluice run: roles {} for pipelines {}{}, /healthz, /metrics and /api/v1 ({}) on port {}",
                selected,
                loaded.pipelines().stream().map(p -> p.name()).toList(),
                server.httpPort() > 0 ? ", HTTP on " + host + ":" + server.httpPort() : "",
                loaded.admin().isOpen() ? "open: no admin.tokens configured" : "bearer tokens",
                server.adminPort());
        RunUntilStopped.await(() -> {
            log.info("sluice run: stopping; writing open batches");
            server.close();
        });
        return 0;
    }
}

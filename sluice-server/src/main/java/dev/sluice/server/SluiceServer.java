package dev.sluice.server;

import dev.sluice.config.KafkaConfig;
import dev.sluice.config.PipelineConfig;
import dev.sluice.config.SluiceConfig;
import dev.sluice.config.UserJars;
import dev.sluice.health.HealthCheck;
import dev.sluice.ingest.Backpressure;
import dev.sluice.ingest.IngestServer;
import dev.sluice.ingest.RecordSender;
import dev.sluice.ingest.TableWriter;
import dev.sluice.processor.PipelineProcessor;
import dev.sluice.processor.TransformJars;
import dev.sluice.server.admin.AdminApi;
import dev.sluice.server.admin.Backfills;
import dev.sluice.server.admin.Console;
import dev.sluice.server.admin.DeadLetterReplay;
import dev.sluice.server.admin.OldestRecords;
import dev.sluice.server.admin.RecentObjects;
import dev.sluice.server.admin.RecordTail;
import dev.sluice.sink.PipelineSink;
import dev.sluice.sink.S3Clients;
import dev.sluice.sink.WrittenObject;
import dev.sluice.workflows.engine.WorkflowEngine;
import dev.sluice.workflows.engine.WorkflowsApi;
import io.javalin.Javalin;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadBucketRequest;

/**
 * Runs every role of every pipeline (ingest, processor, sink) and the workflows engine against a Kafka cluster and an object
 * store given in the config. {@code sluice dev} puts an embedded broker and store under it; a
 * production deployment points it at real ones.
 *
 * <p>Start order follows the path of a record backwards (topics, sinks, processors, then ingest), so
 * nothing is accepted before it can flow; stop order is the reverse, so open batches are flushed
 * while Kafka and storage are still up.
 */
public final class SluiceServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SluiceServer.class);

    /** Transactions in flight at once; each commits every request waiting in its lane. */
    private static final int PRODUCER_LANES = 4;
    /** Unacknowledged request bytes beyond which ingest answers 429. */
    private static final long PRODUCER_CAPACITY_BYTES = 64L << 20;
    /** How long a stop waits for the processors to finish what ingest accepted. */
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(15);

    private final SluiceConfig config;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final StartedParts started = new StartedParts();
    private IngestServer ingest;
    private AdminApi adminApi;
    private AdminServer adminServer;
    private WorkflowEngine workflows;
    private Javalin workflowsServer;

    private final Set<Role> roles;
    /** What {@code /healthz} reports: Kafka, the store, and each role this process runs. */
    private final List<HealthCheck> checks = new ArrayList<>();

    private SluiceServer(SluiceConfig config, Set<Role> roles) {
        this.config = config;
        this.roles = Set.copyOf(roles);
    }

    /**
     * Starts all roles.
     *
     * @param config    pipelines, plus {@code kafka} and {@code storage}, which must be set
     * @param dataDir   local state (Kafka Streams state stores)
     * @param host      address the HTTP server binds to
     * @param httpPort  HTTP port, 0 for any free one
     * @param onWritten told of every object written, after it is durable
     */
    public static SluiceServer start(
            SluiceConfig config, Path dataDir, String host, int httpPort, Consumer<WrittenObject> onWritten) {
        return start(config, Role.ALL, dataDir, host, httpPort, onWritten);
    }

    /** Starts only the given roles, e.g. ingest alone in front of processors and sinks running elsewhere. */
    public static SluiceServer start(
            SluiceConfig config,
            Set<Role> roles,
            Path dataDir,
            String host,
            int httpPort,
            Consumer<WrittenObject> onWritten) {
        return start(config, roles, dataDir, host, httpPort, -1, onWritten);
    }

    /**
     * As above, and serves {@code /healthz} and {@code /metrics} on {@code adminPort} (0: any free port; -1:
     * none, the ingest port serves them when this process runs ingest).
     */
    public static SluiceServer start(
            SluiceConfig config,
            Set<Role> roles,
            Path dataDir,
            String host,
            int httpPort,
            int adminPort,
            Consumer<WrittenObject> onWritten) {
        SluiceServer server = new SluiceServer(config, roles);
        try {
            server.startRoles(dataDir, host, httpPort, onWritten);
            if (adminPort >= 0) {
                server.adminServer = server.started.add(
                        AdminServer.start(host, adminPort, server.checks, server.registry, server.adminApi::register));
            }
            return server;
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    private void startRoles(Path dataDir, String host, int requestedPort, Consumer<WrittenObject> onWritten) {
        // The workflows engine tells the other processes where it serves, before the HTTP server starts.
        int httpPort = roles.contains(Role.WORKFLOWS) && !config.workflows().isEmpty()
                ? Ports.concrete(host, requestedPort)
                : requestedPort;
        KafkaConfig kafka = config.kafka();
        Map<String, Object> adminProps = kafka.clientProperties();
        adminProps.put(AdminClientConfig.CLIENT_ID_CONFIG, "sluice-admin");
        Admin admin = started.add(Admin.create(adminProps));
        TopicSetup.ensureTopics(
                admin,
                kafka,
                config.pipelines(),
                config.tables(),
                !config.workflows().isEmpty());

        S3Client s3 = S3Clients.create(config.storage());
        started.add(s3);
        checks.add(HealthCheck.of("kafka", () -> admin.describeCluster().nodes().get(3, TimeUnit.SECONDS)));
        if (roles.contains(Role.INGEST) || roles.contains(Role.SINK)) {
            checks.add(HealthCheck.of("storage", () -> {
                for (String bucket : config.pipelines().stream()
                        .map(p -> p.sink().bucket())
                        .distinct()
                        .toList()) {
                    s3.headBucket(HeadBucketRequest.builder()
                            .bucket(bucket)
                            .overrideConfiguration(o -> o.apiCallTimeout(Duration.ofSeconds(3)))
                            .build());
                }
            }));
        }

        String instanceId = InstanceId.of(dataDir, System.getenv("SLUICE_INSTANCE_ID"));
        if (roles.contains(Role.SINK)) {
            for (PipelineConfig pipeline : config.pipelines()) {
                PipelineSink sink = started.add(new PipelineSink(
                        pipeline,
                        kafka,
                        s3,
                        config.storage().account(),
                        dataDir.resolve("sink").resolve(pipeline.name()),
                        instanceId,
                        registry,
                        onWritten));
                sink.start();
                checks.add(HealthCheck.of("sink/" + pipeline.name(), () -> {
                    String problem = sink.problem();
                    if (problem != null) {
                        throw new IllegalStateException(problem);
                    }
                }));
            }
        }
        OldestRecords oldest = started.add(new OldestRecords(kafka));
        BacklogMonitor backlog = new BacklogMonitor(admin, oldest, config.pipelines());
        RecentObjects recentObjects = started.add(new RecentObjects(kafka).start());
        // What replays and backfills write may be as large as what ingest accepted.
        int maxRequestBytes = (int) Math.max(1 << 20, IngestServer.maxRecordBytes(config) + (256 << 10));
        adminApi = new AdminApi(
                config,
                backlog::stats,
                backlog::history,
                new RecordTail(kafka),
                recentObjects,
                new DeadLetterReplay(kafka, maxRequestBytes, Clock.systemUTC()),
                started.add(new Backfills(s3, kafka, maxRequestBytes, Clock.systemUTC())));
        if (roles.contains(Role.WORKFLOWS) && !config.workflows().isEmpty()) {
            UserJars jars = started.add(UserJars.open(
                    workflowsDir(dataDir),
                    "workflowsDir",
                    Thread.currentThread().getContextClassLoader()));
            workflows = started.add(WorkflowEngine.start(
                    config.workflows(),
                    jars,
                    kafka,
                    config.storage(),
                    dataDir.resolve("workflows-state"),
                    instanceId,
                    advertised(host) + ":" + httpPort,
                    registry));
            if (!workflows.awaitRunning(Duration.ofSeconds(60))) {
                // A crash leaves its stores to be rebuilt from Kafka, which can take a while: start anyway;
                // the REST API answers 503 and /healthz names the engine until it runs.
                log.warn("the workflows engine is still rebuilding its state after 60 s; going on without waiting");
            }
            checks.add(HealthCheck.of("workflows", () -> {
                String problem = workflows.notReady();
                if (problem != null) {
                    throw new IllegalStateException(problem);
                }
            }));
        }
        if (roles.contains(Role.PROCESSOR)) {
            // Every pipeline has a processor, even without transforms: it is where records that producers
            // wrote to Kafka directly are checked, and sent to the dead-letter topic when they are not JSON objects.
            TransformJars jars = started.add(TransformJars.open(
                    transformsDir(dataDir), Thread.currentThread().getContextClassLoader()));
            for (PipelineConfig pipeline : config.pipelines()) {
                PipelineProcessor processor = started.add(new PipelineProcessor(
                        pipeline, kafka, dataDir.resolve("streams"), instanceId, config.tables(), jars, registry));
                processor.start();
                checks.add(HealthCheck.of("processor/" + pipeline.name(), () -> {
                    String problem = processor.problem();
                    if (problem != null) {
                        throw new IllegalStateException(problem);
                    }
                }));
                Gauge.builder("sluice.processor.lag.records", backlog, b -> b.unprocessedRecords(pipeline.name()))
                        .tag("pipeline", pipeline.name())
                        .description("records in the pipeline's topic the processor has not committed")
                        .register(registry);
            }
            // Runs at stop after ingest has closed and before the processors do: let them finish what was accepted.
            started.add(() -> backlog.awaitProcessed(DRAIN_TIMEOUT));
        }
        for (PipelineConfig pipeline : config.pipelines()) {
            // Every process measures it, whatever its roles: alerts take the max across them.
            Gauge.builder(
                            "sluice.dead.letters.records",
                            backlog,
                            b -> b.stats(pipeline.name())
                                    .map(s -> (double) s.deadLettered())
                                    .orElse(Double.NaN))
                    .description("records in the pipeline's dead-letter topic")
                    .tag("pipeline", pipeline.name())
                    .register(registry);
        }
        started.add(backlog.start());
        WorkflowsApi workflowsApi = workflows == null
                ? null
                : new WorkflowsApi(workflows, config.storage().account());
        if (!roles.contains(Role.INGEST)) {
            if (workflowsApi != null) {
                // A workflows-only process still serves the REST API of the instances it can read.
                workflowsServer = Javalin.create(cfg -> {
                            cfg.startup.showJavalinBanner = false;
                            workflowsApi.register(cfg.routes);
                        })
                        .start(host, httpPort);
                started.add(workflowsServer::stop);
            }
            return;
        }
        Console console = new Console();
        RecordSender sender = started.add(new RecordSender(
                kafka, instanceId, PRODUCER_LANES, PRODUCER_CAPACITY_BYTES, IngestServer.maxRecordBytes(config)));
        TableWriter tables = config.tables().isEmpty() ? null : started.add(new TableWriter(kafka));
        ingest = started.add(new IngestServer(
                        config,
                        sender,
                        tables,
                        new Backpressure(backlog, sender),
                        registry,
                        checks,
                        host,
                        httpPort,
                        routes -> {
                            adminApi.register(routes);
                            console.register(routes);
                            if (workflowsApi != null) {
                                workflowsApi.register(routes);
                            }
                        })
                .start());
        // Closed before the HTTP server stops: an open live tail would otherwise hold its stop for 35 s.
        started.add(adminApi::closeStreams);
    }

    /** {@code transforms.dir}, or {@code <data-dir>/transforms}. */
    private Path transformsDir(Path dataDir) {
        return config.transforms().dir() != null ? Path.of(config.transforms().dir()) : dataDir.resolve("transforms");
    }

    /** The name other processes reach this one by: the bind address, or this machine's name when it binds every address. */
    private static String advertised(String host) {
        String override = System.getenv("SLUICE_ADVERTISED_HOST");
        if (override != null && !override.isBlank()) {
            return override;
        }
        if (!host.equals("0.0.0.0") && !host.equals("::")) {
            return host;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            throw new IllegalStateException(
                    "binding every address, but this machine has no name other processes can use;"
                            + " set SLUICE_ADVERTISED_HOST",
                    e);
        }
    }

    /** {@code workflowsDir}, or {@code <data-dir>/workflows}. */
    private Path workflowsDir(Path dataDir) {
        return config.workflowsDir() != null ? Path.of(config.workflowsDir()) : dataDir.resolve("workflows");
    }

    /** The bound HTTP port, or -1 when this process serves no HTTP (neither ingest nor workflows). */
    public int httpPort() {
        return ingest != null ? ingest.port() : workflowsServer != null ? workflowsServer.port() : -1;
    }

    /** The bound admin port, or -1 when this process serves none. */
    public int adminPort() {
        return adminServer != null ? adminServer.port() : -1;
    }

    /** The workflows engine, or null when this process does not run the workflows role (or has no workflows). */
    public WorkflowEngine workflows() {
        return workflows;
    }

    public Set<Role> roles() {
        return roles;
    }

    public SluiceConfig config() {
        return config;
    }

    @Override
    public void close() {
        started.close();
    }
}

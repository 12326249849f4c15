package dev.sluice.workflows.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.config.KafkaConfig;
import dev.sluice.config.StorageConfig;
import dev.sluice.config.UserJars;
import dev.sluice.config.WorkflowConfig;
import dev.sluice.health.RestartBudget;
import dev.sluice.wire.ClientIds;
import dev.sluice.workflows.InstanceStatus;
import dev.sluice.workflows.Trigger;
import dev.sluice.workflows.WorkflowContext;
import dev.sluice.workflows.internal.InstanceState;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.TaskMetadata;
import org.apache.kafka.streams.ThreadMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code workflows} role: the Kafka Streams application that owns instances
 * ({@code application.id = sluice-workflows}, exactly_once_v2), the worker pool that runs user code, the
 * schedule trigger, and the commands and reads the REST API uses.
 *
 * <pre>{@code
 * try (WorkflowEngine engine = WorkflowEngine.start(config.workflows(), jars, kafka, storage, stateDir, "wf-1",
 *         "127.0.0.1:8080", registry)) {
 *     engine.create("index-objects", "id-1", params, Trigger.API).join();
 * }
 * }</pre>
 */
public final class WorkflowEngine implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WorkflowEngine.class);
    private static final int WORKER_THREADS = 32;

    private final List<WorkflowConfig> workflows;
    private final LoadedWorkflows loaded;
    private final CommandSender commands;
    private final WorkerPool executions;
    private final KafkaStreams streams;
    private final CronTrigger cron;
    private static final Duration CREATE_VISIBLE_WAIT = Duration.ofSeconds(10);
    private final Map<String, CompletableFuture<Created>> awaitingCreate = new ConcurrentHashMap<>();
    /** Tasks restored and running here; Streams says RUNNING while some may still be restoring. */
    private final Set<TaskId> readyTasks = ConcurrentHashMap.newKeySet();

    private final StatusCounts statusCounts = new StatusCounts();
    private final HostInfo self;
    /** Ready once since start: from then on a rebalance is not "starting" (see notReady). */
    private volatile boolean hasRun;

    private WorkflowEngine(
            List<WorkflowConfig> workflows,
            UserJars jars,
            KafkaConfig kafka,
            StorageConfig storage,
            Path stateDir,
            String instanceId,
            String endpoint,
            MeterRegistry registry) {
        this.self = endpoint == null ? null : HostInfo.buildFromEndpoint(endpoint);
        this.workflows = List.copyOf(workflows);
        this.loaded = new LoadedWorkflows(
                workflows,
                jars,
                new WorkflowContext.Storage(
                        storage.endpoint(), storage.region(), storage.accessKey(), storage.secretKey()));
        this.commands = new CommandSender(kafka, "sluice-workflows-commands");
        this.executions = new WorkerPool(loaded, commands, WORKER_THREADS);
        Properties props = new Properties();
        props.putAll(kafka.clientProperties());
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, ClientIds.WORKFLOWS_APPLICATION);
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        // Two threads share the 8 command partitions: 100,000 timers falling due at once fire ~20% sooner
        // than with one (benchmarks/workflows.sh); user code runs on its own pool either way.
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 2);
        props.put(
                StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), WorkflowTopics.MAX_MESSAGE_BYTES);
        enableGlobalProcessingExceptionHandler(props);
        // As the processor's: a killed engine's open transaction holds back every read_committed reader of
        // the topics it wrote (its own changelogs included) until it times out; they last ~100 ms.
        props.put(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG), 5_000);
        // Static membership: a restarted process (same instance id) takes its partitions back at once instead
        // of waiting for its predecessor's session to expire; a process gone for good is replaced after 10 s.
        if (endpoint != null) {
            // Where this process serves the REST API: other processes forward reads of instances it owns here.
            props.put(StreamsConfig.APPLICATION_SERVER_CONFIG, endpoint);
        }
        props.put(
                StreamsConfig.consumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG),
                ClientIds.workflowsMember(instanceId));
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 10_000);
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), 1_000);
        // Also the group's rebalance timeout: a process killed while its group rebalances can stay a member (its
        // join is parked at the coordinator) until that times out, then its session. 2 minutes, not Streams'
        // 5; a thread still polls well within it, even when a commit waits out a minute without brokers.
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG), 120_000);
        this.streams = new KafkaStreams(
                WorkflowTopology.build(
                        workflows,
                        executions,
                        new WorkflowMetrics(registry),
                        this::createApplied,
                        readyTasks,
                        statusCounts),
                props);
        // As the pipelines' processors: a thread that failed is replaced, unless it keeps failing.
        RestartBudget restarts = new RestartBudget(5, Duration.ofMinutes(10), Clock.systemUTC());
        streams.setUncaughtExceptionHandler(e -> {
            if (restarts.tryRestart()) {
                log.error("a workflows engine thread failed; starting another", e);
                return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
            }
            log.error("workflows engine stopped, its threads failed more than {}", restarts, e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        this.cron = new CronTrigger(workflows, this);
        registerGauges(registry);
    }

    private void registerGauges(MeterRegistry registry) {
        for (WorkflowConfig workflow : workflows) {
            for (InstanceStatus status : InstanceStatus.values()) {
                Gauge.builder("sluice.workflow.instances", statusCounts, counts -> counts.get(workflow.name(), status))
                        .tag("workflow", workflow.name())
                        .tag("status", status.wireName())
                        .description("instances by status, in the partitions this process owns")
                        .register(registry);
            }
        }
        Gauge.builder("sluice.workflow.timers.pending", this, engine -> engine.pendingTimers())
                .description(
                        "sleeps, back-offs, wait timeouts and expiries not yet due, in the partitions this process owns")
                .register(registry);
    }

    private double pendingTimers() {
        try {
            return streams.store(StoreQueryParameters.fromNameAndType(
                            WorkflowTopics.TIMERS, QueryableStoreTypes.<Bytes, byte[]>keyValueStore()))
                    .approximateNumEntries();
        } catch (InvalidStateStoreException e) {
            return Double.NaN;
        }
    }

    /**
     * Loads and opens every workflow class, then starts the engine.
     *
     * @param instanceId         this process's stable id (its static group membership)
     * @param endpoint           {@code host:port} where this process serves the REST API, or null
     */
    public static WorkflowEngine start(
            List<WorkflowConfig> workflows,
            UserJars jars,
            KafkaConfig kafka,
            StorageConfig storage,
            Path stateDir,
            String instanceId,
            String endpoint,
            MeterRegistry registry) {
        WorkflowEngine engine =
                new WorkflowEngine(workflows, jars, kafka, storage, stateDir, instanceId, endpoint, registry);
        engine.streams.start();
        engine.cron.start();
        return engine;
    }

    /** As the processor's ({@code PipelineProcessor} says why, and why the main consumer needs it too). */
    @SuppressWarnings("deprecation") // Kafka 5.0 removes the key, its value then the default
    private static void enableGlobalProcessingExceptionHandler(Properties props) {
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        props.put(
                StreamsConfig.mainConsumerPrefix(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG),
                true);
    }

    public List<WorkflowConfig> workflows() {
        return workflows;
    }

    // ---- commands (durable when the future completes) --------------------------------------------

    public CompletableFuture<Void> create(String workflow, String id, JsonNode params, Trigger trigger) {
        return commands.send(WorkflowTopics.key(workflow, id), Command.create(workflow, id, params, trigger, null));
    }

    /** What a create found or made: the instance's status and trigger as the owning task applied it. */
    public record Created(InstanceStatus status, Trigger trigger) {}

    /**
     * {@link #create}, completing once the owning task here applied it (a new instance, or the one that
     * had the id), so a get right after the create finds it. After {@code CREATE_VISIBLE_WAIT} it completes
     * with null anyway: the create is in Kafka and will be applied, e.g. by a new owner after a rebalance.
     * The task completes it on its own thread: callers take the value with join, not with dependent stages.
     */
    public CompletableFuture<Created> createAndAwait(String workflow, String id, JsonNode params, Trigger trigger) {
        String key = WorkflowTopics.key(workflow, id);
        CompletableFuture<Created> applied = awaitingCreate.computeIfAbsent(key, k -> new CompletableFuture<>());
        return create(workflow, id, params, trigger)
                .thenCompose(
                        sent -> applied.completeOnTimeout(null, CREATE_VISIBLE_WAIT.toMillis(), TimeUnit.MILLISECONDS))
                .whenComplete((ok, error) -> awaitingCreate.remove(key, applied));
    }

    private void createApplied(String key, InstanceState state) {
        CompletableFuture<Created> waiting = awaitingCreate.get(key);
        if (waiting != null) {
            waiting.complete(state == null ? null : new Created(state.status(), state.trigger()));
        }
    }

    public CompletableFuture<Void> sendEvent(String workflow, String id, String type, JsonNode payload) {
        return commands.send(WorkflowTopics.key(workflow, id), Command.event(type, payload));
    }

    public CompletableFuture<Void> pause(String workflow, String id) {
        return commands.send(WorkflowTopics.key(workflow, id), Command.of(Command.Type.PAUSE));
    }

    public CompletableFuture<Void> resume(String workflow, String id) {
        return commands.send(WorkflowTopics.key(workflow, id), Command.of(Command.Type.RESUME));
    }

    public CompletableFuture<Void> terminate(String workflow, String id) {
        return commands.send(WorkflowTopics.key(workflow, id), Command.of(Command.Type.TERMINATE));
    }

    /** Restarts from the start ({@code fromStep} null) or from use {@code count} of the step named {@code fromStep}. */
    public CompletableFuture<Void> restart(String workflow, String id, String fromStep, int count) {
        return commands.send(WorkflowTopics.key(workflow, id), Command.restart(fromStep, count));
    }

    // ---- reads (this process's partitions) -------------------------------------------------------

    /** The instance, or null when it does not exist. */
    public InstanceState instance(String workflow, String id) {
        byte[] bytes = instancesStore().get(WorkflowTopics.key(workflow, id));
        return bytes == null ? null : InstanceProcessor.readState(bytes);
    }

    /** The JSON of a step's recorded result, or null. */
    public JsonNode result(String workflow, String id, String stepId) {
        byte[] bytes = store(WorkflowTopics.RESULTS)
                .get(InstanceProcessor.resultKey(WorkflowTopics.key(workflow, id), stepId));
        return bytes == null ? null : InstanceProcessor.readValue(bytes).value();
    }

    /** Every instance of a workflow. */
    public List<InstanceState> instances(String workflow) {
        List<InstanceState> out = new ArrayList<>();
        String prefix = workflow + "/";
        try (KeyValueIterator<String, byte[]> it = instancesStore().prefixScan(prefix, new StringSerializer())) {
            it.forEachRemaining(kv -> out.add(InstanceProcessor.readState(kv.value)));
        }
        return out;
    }

    /**
     * The {@code host:port} of the process that owns the instance's partition, or null when it is this
     * one (or no other is known): where a read of it must go.
     */
    public String ownerOf(String workflow, String id) {
        KeyQueryMetadata metadata = streams.queryMetadataForKey(
                WorkflowTopics.INSTANCES, WorkflowTopics.key(workflow, id), new StringSerializer());
        if (metadata == null || KeyQueryMetadata.NOT_AVAILABLE.equals(metadata) || metadata.activeHost() == null) {
            return null;
        }
        HostInfo owner = metadata.activeHost();
        return owner.equals(self) || owner.port() <= 0 ? null : owner.host() + ":" + owner.port();
    }

    /** The {@code host:port} of every other process of the engine: a list asks each for its instances. */
    public List<String> otherEndpoints() {
        List<String> out = new ArrayList<>();
        for (StreamsMetadata client : streams.streamsMetadataForStore(WorkflowTopics.INSTANCES)) {
            HostInfo host = client.hostInfo();
            if (host != null && host.port() > 0 && !host.equals(self)) {
                out.add(host.host() + ":" + host.port());
            }
        }
        return out;
    }

    private ReadOnlyKeyValueStore<String, byte[]> instancesStore() {
        return store(WorkflowTopics.INSTANCES);
    }

    private ReadOnlyKeyValueStore<String, byte[]> store(String name) {
        return streams.store(
                StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<String, byte[]>keyValueStore()));
    }

    /**
     * Waits until the engine owns its partitions and answers reads, so a process that has started serves
     * the REST API at once. After a crash the engine may take longer (it rebuilds its stores from Kafka);
     * then this gives up waiting but the engine goes on starting, and {@link #notReady()} says so.
     *
     * @return whether it runs
     * @throws IllegalStateException when the engine stopped
     */
    public boolean awaitRunning(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!isReady()) {
            String problem = problem();
            if (problem != null) {
                throw new IllegalStateException(problem);
            }
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while the workflows engine started", e);
            }
        }
        hasRun = true;
        return true;
    }

    /**
     * Null once the engine has run and still does (rebalances included); else why it is not ready: it is
     * still starting, or it stopped.
     */
    public String notReady() {
        String problem = problem();
        if (problem != null || hasRun) {
            return problem;
        }
        if (isReady()) {
            hasRun = true;
            return null;
        }
        return "the workflows engine is starting: rebuilding its state from Kafka";
    }

    /** Running, with every task assigned here restored and initialised (its timers firing). */
    private boolean isReady() {
        if (streams.state() != KafkaStreams.State.RUNNING) {
            return false;
        }
        for (ThreadMetadata thread : streams.metadataForLocalThreads()) {
            for (TaskMetadata task : thread.activeTasks()) {
                if (!readyTasks.contains(task.taskId())) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Null while the engine runs (or is starting or rebalancing); else why it does not. */
    public String problem() {
        KafkaStreams.State state = streams.state();
        return state.isRunningOrRebalancing() || state == KafkaStreams.State.CREATED
                ? null
                : "the workflows engine is " + state.name().toLowerCase(Locale.ROOT);
    }

    @Override
    public void close() {
        cron.close();
        if (!streams.close(CloseOptions.timeout(Duration.ofSeconds(30))
                .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP))) {
            log.warn("workflows engine did not stop within 30 s");
        }
        executions.close();
        commands.close();
        loaded.close();
    }
}

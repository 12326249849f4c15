package dev.sluice.workflows.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.config.KafkaConfig;
import dev.sluice.config.StorageConfig;
import dev.sluice.config.UserJars;
import dev.sluice.config.WorkflowConfig;
import dev.sluice.workflows.Trigger;
import dev.sluice.workflows.WorkflowContext;
import dev.sluice.workflows.internal.InstanceState;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
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
 * try (WorkflowEngine engine = WorkflowEngine.start(config.workflows(), jars, kafka, storage, stateDir,
 *         "sluice.notifications", registry)) {
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
    private final Executions executions;
    private final KafkaStreams streams;
    private final CronTrigger cron;

    private WorkflowEngine(List<WorkflowConfig> workflows, UserJars jars, KafkaConfig kafka, StorageConfig storage,
                           Path stateDir, String notificationsTopic, MeterRegistry registry) {
        this.workflows = List.copyOf(workflows);
        this.loaded = new LoadedWorkflows(workflows, jars, new WorkflowContext.Storage(storage.endpoint(), storage.region(),
                storage.accessKey(), storage.secretKey()));
        this.commands = new CommandSender(kafka, "sluice-workflows-commands");
        this.executions = new Executions(loaded, commands, WORKER_THREADS);
        Properties props = new Properties();
        props.putAll(kafka.clientProperties());
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, WorkflowTopics.APPLICATION_ID);
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
        props.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), WorkflowTopics.MAX_MESSAGE_BYTES);
        props.put("processing.exception.handler.global.enabled", true);
        this.streams = new KafkaStreams(WorkflowTopology.build(workflows, notificationsTopic, executions,
                new WorkflowMetrics(registry)), props);
        streams.setUncaughtExceptionHandler(e -> {
            log.error("workflows engine stopped", e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        this.cron = new CronTrigger(workflows, this);
    }

    /**
     * Loads and opens every workflow class, then starts the engine.
     *
     * @param notificationsTopic where object notifications arrive
     */
    public static WorkflowEngine start(List<WorkflowConfig> workflows, UserJars jars, KafkaConfig kafka, StorageConfig storage,
                                       Path stateDir, String notificationsTopic, MeterRegistry registry) {
        WorkflowEngine engine = new WorkflowEngine(workflows, jars, kafka, storage, stateDir, notificationsTopic, registry);
        engine.streams.start();
        engine.cron.start();
        return engine;
    }

    public List<WorkflowConfig> workflows() {
        return workflows;
    }

    // ---- commands (durable when the future completes) --------------------------------------------

    public CompletableFuture<Void> create(String workflow, String id, JsonNode params, Trigger trigger) {
        return commands.send(WorkflowTopics.key(workflow, id), Command.create(workflow, id, params, trigger, null));
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
        byte[] bytes = store(WorkflowTopics.RESULTS).get(InstanceProcessor.resultKey(WorkflowTopics.key(workflow, id), stepId));
        return bytes == null ? null : InstanceProcessor.readValue(bytes).value();
    }

    /** Every instance of a workflow. */
    public List<InstanceState> instances(String workflow) {
        List<InstanceState> out = new ArrayList<>();
        String prefix = workflow + "/";
        try (KeyValueIterator<String, byte[]> it = instancesStore().prefixScan(prefix, new org.apache.kafka.common.serialization.StringSerializer())) {
            it.forEachRemaining(kv -> out.add(InstanceProcessor.readState(kv.value)));
        }
        return out;
    }

    private ReadOnlyKeyValueStore<String, byte[]> instancesStore() {
        return store(WorkflowTopics.INSTANCES);
    }

    private ReadOnlyKeyValueStore<String, byte[]> store(String name) {
        return streams.store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<String, byte[]>keyValueStore()));
    }

    /**
     * Waits until the engine owns its partitions and answers reads, so a process that has started serves
     * the REST API at once.
     *
     * @throws IllegalStateException when it is not running by then
     */
    public void awaitRunning(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (streams.state() != KafkaStreams.State.RUNNING) {
            String problem = problem();
            if (problem != null) {
                throw new IllegalStateException(problem);
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("the workflows engine did not start within " + timeout.toSeconds() + " s");
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while the workflows engine started", e);
            }
        }
    }

    /** Null while the engine runs (or is starting or rebalancing); else why it does not. */
    public String problem() {
        KafkaStreams.State state = streams.state();
        return state.isRunningOrRebalancing() || state == KafkaStreams.State.CREATED ? null
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

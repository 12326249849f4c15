package dev.sluice.workflows.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.workflows.Trigger;
import dev.sluice.workflows.Workflow;
import dev.sluice.workflows.WorkflowEvent;
import dev.sluice.workflows.internal.ErrorInfo;
import dev.sluice.workflows.internal.Execution;
import dev.sluice.workflows.internal.History;
import dev.sluice.workflows.internal.Outcome;
import dev.sluice.workflows.internal.Replay;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker pool that runs user code, never on a stream thread: a slow step holds a worker, not a
 * partition. Each execution replays an instance up to its next outcome and sends that outcome back as a
 * command with the execution's token; the owning task takes it only if the token is still current.
 */
final class Executions implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Executions.class);

    private final LoadedWorkflows workflows;
    private final CommandSender commands;
    private final ExecutorService pool;
    private final Map<String, Future<?>> running = new ConcurrentHashMap<>();

    Executions(LoadedWorkflows workflows, CommandSender commands, int threads) {
        this.workflows = workflows;
        this.commands = commands;
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "sluice-workflow-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** What one execution needs, copied off the stream thread's stores. */
    record Task(String instanceKey, String token, String workflow, String instanceId, JsonNode params, long queuedAt,
                Trigger trigger, History history) {}

    void submit(Task task) {
        Future<?> future = pool.submit(() -> {
            try {
                run(task);
            } finally {
                running.remove(task.token());
            }
        });
        running.put(task.token(), future);
    }

    private void run(Task task) {
        Workflow workflow = workflows.get(task.workflow());
        Outcome outcome;
        if (workflow == null) {
            outcome = new Outcome.Errored(System.currentTimeMillis(), new ErrorInfo("UnknownWorkflow",
                    "workflow " + task.workflow() + " is not declared in this process's sluice.yaml"));
        } else {
            WorkflowEvent event = new EngineEvent(task.instanceId(), task.workflow(), task.params(),
                    Instant.ofEpochMilli(task.queuedAt()), task.trigger());
            outcome = Execution.execute(workflow, event, task.history(), System::currentTimeMillis, Replay.BodyWrapper.NONE);
        }
        if (Thread.interrupted() && !running.containsKey(task.token())) {
            return; // cancelled: the instance moved on without this outcome
        }
        commands.send(task.instanceKey(), Command.outcome(task.token(), outcome)).whenComplete((ok, error) -> {
            if (error != null) {
                // The instance stays running with this token until its task is reassigned and runs it again.
                log.warn("workflow {} instance {}: cannot record the outcome of an execution: {}",
                        task.workflow(), task.instanceId(), error.toString());
            }
        });
    }

    /** Interrupts the execution holding {@code token}, if it is still running here. */
    void cancel(String token) {
        Future<?> future = running.remove(token);
        if (future != null) {
            future.cancel(true);
        }
    }

    int inFlight() {
        return running.size();
    }

    @Override
    public void close() {
        pool.shutdownNow();
        try {
            if (!pool.awaitTermination(10, TimeUnit.SECONDS)) {
                log.warn("workflow executions did not stop within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private record EngineEvent(String instanceId, String workflow, JsonNode payload, Instant createdAt,
                               Trigger trigger) implements WorkflowEvent {}
}

package dev.sluice.workflows.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.workflows.Trigger;
import dev.sluice.workflows.Workflow;
import dev.sluice.workflows.WorkflowEvent;
import dev.sluice.workflows.internal.ErrorInfo;
import dev.sluice.workflows.internal.Execution;
import dev.sluice.workflows.internal.History;
import dev.sluice.workflows.internal.Outcome;
import dev.sluice.workflows.internal.Recorded;
import dev.sluice.workflows.internal.Replay;
import dev.sluice.workflows.internal.StepKind;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker pool that runs user code ({@link Executions}), never on a stream thread: a slow step holds a worker, not a
 * partition. Each execution replays an instance up to its next unrecorded step and runs it; steps that
 * succeed quickly are followed at once by the next (for up to 20 ms), and what the execution reached goes
 * back as one command with its token; the owning task takes it only if the token is still current.
 */
final class WorkerPool implements Executions, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WorkerPool.class);

    private final LoadedWorkflows workflows;
    private final CommandSender commands;
    private final ExecutorService pool;
    private final Map<String, Future<?>> running = new ConcurrentHashMap<>();
    private final Set<String> stopAtBoundary = ConcurrentHashMap.newKeySet();
    /** How long an execution goes on to the next step after one succeeded, before it reports. */
    private static final Duration CONTINUE_BUDGET = Duration.ofMillis(20);

    private static final int MAX_STEPS_PER_COMMAND = 64;

    WorkerPool(LoadedWorkflows workflows, CommandSender commands, int threads) {
        this.workflows = workflows;
        this.commands = commands;
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "sluice-workflow-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public void submit(Task task) {
        FutureTask<Void> execution = new FutureTask<>(() -> run(task), null);
        running.put(task.token(), execution);
        try {
            pool.execute(() -> {
                try {
                    execution.run();
                } finally {
                    // Only this execution's entry: the token may have been submitted again meanwhile (its task
                    // moved between stream threads).
                    running.remove(task.token(), execution);
                }
            });
        } catch (RejectedExecutionException e) {
            running.remove(task.token(), execution); // the pool is closed: the engine is stopping
            throw e;
        }
    }

    private void run(Task task) {
        Workflow workflow = workflows.get(task.workflow());
        List<Outcome> outcomes = new ArrayList<>();
        if (workflow == null) {
            outcomes.add(new Outcome.Errored(
                    System.currentTimeMillis(),
                    new ErrorInfo(
                            "UnknownWorkflow",
                            "workflow " + task.workflow() + " is not declared in this process's sluice.yaml")));
        } else {
            WorkflowEvent event = new EngineEvent(
                    task.instanceId(),
                    task.workflow(),
                    task.params(),
                    Instant.ofEpochMilli(task.queuedAt()),
                    task.trigger());
            // Steps that succeed go on at once, within a small time budget, their results kept here and
            // sent together with where the run stopped: one command instead of a Kafka round trip per step.
            Map<String, Recorded> ran = new HashMap<>();
            History history = id -> {
                Recorded own = ran.get(id);
                return own != null ? own : task.history().get(id);
            };
            long budgetEnds = System.nanoTime() + CONTINUE_BUDGET.toNanos();
            while (true) {
                Outcome outcome =
                        Execution.execute(workflow, event, history, System::currentTimeMillis, Replay.BodyWrapper.NONE);
                outcomes.add(outcome);
                if (!(outcome instanceof Outcome.StepSucceeded s)
                        || outcomes.size() >= MAX_STEPS_PER_COMMAND
                        || System.nanoTime() - budgetEnds > 0
                        || stopAtBoundary.contains(task.token())) {
                    break;
                }
                ran.put(s.stepId(), new Recorded(StepKind.STEP, true, s.value(), null, s.attempt()));
            }
        }
        stopAtBoundary.remove(task.token());
        if (Thread.interrupted() && !running.containsKey(task.token())) {
            return; // cancelled: the instance moved on without this outcome
        }
        // The callback logs an outcome that Kafka did not take.
        Future<?> unused = commands.send(task.instanceKey(), Command.outcomes(task.token(), outcomes))
                .whenComplete((ok, error) -> {
                    if (error != null) {
                        // The instance stays running with this token until its task is reassigned and runs it again.
                        log.warn(
                                "workflow {} instance {}: cannot record the outcome of an execution: {}",
                                task.workflow(),
                                task.instanceId(),
                                error.toString());
                    }
                });
    }

    @Override
    public void stopAtBoundary(String token) {
        if (running.containsKey(token)) {
            stopAtBoundary.add(token);
        }
    }

    @Override
    public void cancel(String token) {
        stopAtBoundary.remove(token);
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

    private record EngineEvent(String instanceId, String workflow, JsonNode payload, Instant createdAt, Trigger trigger)
            implements WorkflowEvent {}
}

package dev.sluice.workflows;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.workflows.internal.Effect;
import dev.sluice.workflows.internal.ErrorInfo;
import dev.sluice.workflows.internal.Execution;
import dev.sluice.workflows.internal.InstanceState;
import dev.sluice.workflows.internal.Outcome;
import dev.sluice.workflows.internal.Replay;
import dev.sluice.workflows.internal.StepValue;
import dev.sluice.workflows.internal.StepValues;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Runs a {@link Workflow} in a plain unit test, without Kafka, through the same replay and state
 * transitions as the engine. Time is virtual: sleeps and retry back-offs are skipped at once, while a
 * {@code waitForEvent} holds the instance until the test sends an event or {@linkplain Run#advance advances}
 * past its timeout.
 *
 * <pre>{@code
 * WorkflowTestDriver driver = WorkflowTestDriver.of(new OrderApproval())
 *         .failStep("charge", 2);                   // the first two attempts of "charge" throw
 * WorkflowTestDriver.Run run = driver.start(Map.of("orderId", "o-1"));
 * assertEquals(InstanceStatus.WAITING, run.status());
 * run.sendEvent("approval", Map.of("approved", true));
 * assertEquals(InstanceStatus.COMPLETE, run.status());
 * assertEquals(3, run.step("charge").attempts());
 * }</pre>
 *
 * Like the engine, the driver opens the workflow once before the first run and closes it with
 * {@link #close()}.
 */
public final class WorkflowTestDriver implements AutoCloseable {
    private static final Instant EPOCH = Instant.parse("2030-01-01T00:00:00Z");

    private final Map<String, Workflow> workflows = new HashMap<>();
    private final Map<String, Boolean> opened = new HashMap<>();
    private final String name;
    private Map<String, Object> config = Map.of();
    private WorkflowContext.Storage storage = WorkflowContext.Storage.NONE;
    private final Map<String, Integer> failures = new HashMap<>();
    private long now = EPOCH.toEpochMilli();
    private int created;

    private WorkflowTestDriver(String name, Workflow workflow) {
        this.name = name;
        workflows.put(name, workflow);
    }

    public static WorkflowTestDriver of(Workflow workflow) {
        return new WorkflowTestDriver("under-test", workflow);
    }

    /** The workflow's name, as {@code sluice.yaml} would give it. */
    public static WorkflowTestDriver of(String name, Workflow workflow) {
        return new WorkflowTestDriver(name, workflow);
    }

    /** The workflow's {@code config}, as {@code sluice.yaml} would give it. */
    public WorkflowTestDriver config(Map<String, Object> workflowConfig) {
        this.config = Map.copyOf(workflowConfig);
        return this;
    }

    /** The object store {@link WorkflowContext#storage()} gives the workflow. */
    public WorkflowTestDriver storage(WorkflowContext.Storage objectStore) {
        this.storage = objectStore;
        return this;
    }

    /** Makes the first {@code times} attempts of every step named {@code step} throw before their body runs. */
    public WorkflowTestDriver failStep(String step, int times) {
        failures.put(step, times);
        return this;
    }

    /** Another workflow that {@link WorkflowStep#runWorkflow} may start. */
    public WorkflowTestDriver register(String workflowName, Workflow workflow) {
        workflows.put(workflowName, workflow);
        return this;
    }

    /** Starts an instance with {@code params} (anything Jackson can write) and runs it as far as it goes. */
    public Run start(Object params) {
        created++;
        return start("instance-" + created, params);
    }

    public Run start(String instanceId, Object params) {
        return startInstance(name, instanceId, StepValues.toJson(params), Trigger.API, null);
    }

    private Run startInstance(
            String workflowName, String instanceId, JsonNode params, Trigger trigger, InstanceState.ParentRef parent) {
        if (!workflows.containsKey(workflowName)) {
            throw new IllegalArgumentException("no workflow '" + workflowName + "' is registered with the driver");
        }
        Run run = new Run(InstanceState.create(
                workflowName,
                instanceId,
                params == null ? StepValues.JSON.createObjectNode() : params,
                trigger,
                parent,
                now));
        run.apply(run.state.start(now));
        return run;
    }

    /** The driver's virtual clock. */
    public Instant now() {
        return Instant.ofEpochMilli(now);
    }

    @Override
    public void close() throws Exception {
        for (Map.Entry<String, Boolean> open : opened.entrySet()) {
            workflows.get(open.getKey()).close();
        }
        opened.clear();
    }

    private Workflow opened(String workflowName) {
        Workflow workflow = workflows.get(workflowName);
        if (opened.putIfAbsent(workflowName, true) == null) {
            Map<String, Object> ownConfig = workflowName.equals(name) ? config : Map.of();
            try {
                workflow.open(new WorkflowContext() {
                    @Override
                    public String workflow() {
                        return workflowName;
                    }

                    @Override
                    public Map<String, Object> config() {
                        return ownConfig;
                    }

                    @Override
                    public Storage storage() {
                        return storage;
                    }
                });
            } catch (Exception e) {
                throw new IllegalStateException("open() of workflow " + workflowName + " failed: " + e, e);
            }
        }
        return workflow;
    }

    private final Replay.BodyWrapper injectFailures = new Replay.BodyWrapper() {
        @Override
        public <T> Callable<T> wrap(String step, int attempt, Callable<T> body) {
            Integer remaining = failures.get(step);
            if (remaining != null && remaining > 0) {
                failures.put(step, remaining - 1);
                return () -> {
                    throw new IllegalStateException("failure injected by WorkflowTestDriver (attempt " + attempt + ")");
                };
            }
            return body;
        }
    };

    /** One instance: its status, output and steps, and the events and time the test gives it. */
    public final class Run {
        private final InstanceState state;
        private final Map<String, StepValue> results = new HashMap<>();
        private Long timer;

        private Run(InstanceState state) {
            this.state = state;
        }

        public String id() {
            return state.id();
        }

        public InstanceStatus status() {
            return state.status();
        }

        /** What {@code run} returned, as JSON; null before it completed or when it returned null. */
        public JsonNode output() {
            return state.output();
        }

        /** The message of the error that ended the instance, or null. */
        public String error() {
            return state.error() == null ? null : state.error().message();
        }

        /** Every step so far, in the order they were first reached. */
        public List<StepRecord> steps() {
            List<StepRecord> out = new ArrayList<>();
            for (InstanceState.StepInfo step : state.steps()) {
                StepValue value = results.get(step.id());
                out.add(new StepRecord(
                        step.name(),
                        step.kind().wireName(),
                        step.attempts().size(),
                        step.end() != null,
                        value == null ? null : value.value(),
                        step.error() == null ? null : step.error().message()));
            }
            return out;
        }

        /** The first step of that name. */
        public StepRecord step(String stepName) {
            return steps().stream()
                    .filter(s -> s.name().equals(stepName))
                    .findFirst()
                    .orElseThrow(
                            () -> new IllegalArgumentException("instance " + id() + " has no step '" + stepName + "'"));
        }

        /** Sends an event, as {@code POST .../events/{type}} would, and runs the instance as far as it goes. */
        public Run sendEvent(String type, Object payload) {
            apply(state.onEvent(type, StepValues.toJson(payload), now));
            return this;
        }

        /** Moves the virtual clock (e.g. past a {@code waitForEvent} timeout) and runs what fell due. */
        public Run advance(Duration duration) {
            now += duration.toMillis();
            if (timer != null && timer <= now) {
                long due = timer;
                timer = null;
                apply(state.onTimer(due, now));
            }
            return this;
        }

        public Run pause() {
            apply(state.pause(now));
            return this;
        }

        public Run resume() {
            apply(state.resume(now));
            return this;
        }

        public Run terminate() {
            apply(state.terminate(now));
            return this;
        }

        /** Restarts from the start ({@code fromStep} null) or from the first step of that name. */
        public Run restart(String fromStep) {
            apply(state.restart(fromStep, 1, now));
            return this;
        }

        private void apply(List<Effect> effects) {
            Deque<Effect> queue = new ArrayDeque<>(effects);
            while (!queue.isEmpty()) {
                Effect effect = queue.poll();
                if (effect instanceof Effect.Dispatch d) {
                    queue.addAll(state.onOutcome(d.token(), execute(), now));
                } else if (effect instanceof Effect.PutResult p) {
                    results.put(p.stepId(), p.value());
                } else if (effect instanceof Effect.DeleteResults d) {
                    d.stepIds().forEach(results::remove);
                } else if (effect instanceof Effect.SetTimer t) {
                    timer = t.due();
                    // Sleeps and back-offs pass at once; a wait for an event holds until the test acts.
                    if (state.pending() != null && state.pending().kind() != InstanceState.PendingKind.EVENT) {
                        now = Math.max(now, t.due());
                        timer = null;
                        queue.addAll(state.onTimer(t.due(), now));
                    }
                } else if (effect instanceof Effect.CancelTimer) {
                    timer = null;
                } else if (effect instanceof Effect.StartChild c) {
                    Run child = startInstance(
                            c.workflow(),
                            c.childId(),
                            c.params(),
                            Trigger.API,
                            new InstanceState.ParentRef(state.workflow(), state.id(), c.stepId()));
                    if (child.status().isFinal()) {
                        ErrorInfo error = child.status() == InstanceStatus.COMPLETE
                                ? null
                                : new ErrorInfo(
                                        "ChildFailed",
                                        "workflow " + c.workflow() + " instance " + c.childId() + " ended "
                                                + child.status().wireName()
                                                + (child.error() == null ? "" : ": " + child.error()));
                        queue.addAll(state.onChildFinished(c.stepId(), child.output(), error, now));
                    }
                }
            }
        }

        private Outcome execute() {
            WorkflowEvent event = new DriverEvent(
                    state.id(),
                    state.workflow(),
                    state.params(),
                    Instant.ofEpochMilli(state.queuedAt()),
                    state.trigger());
            return Execution.execute(
                    opened(state.workflow()), event, state.history(results::get), () -> now, injectFailures);
        }
    }

    /**
     * A step as the driver saw it.
     *
     * @param name     its name
     * @param type     {@code step}, {@code sleep}, {@code waitForEvent} or {@code workflow}
     * @param attempts attempts made (steps)
     * @param finished whether it ended
     * @param output   its recorded result as JSON (null for none)
     * @param error    why it failed, or null
     */
    public record StepRecord(String name, String type, int attempts, boolean finished, JsonNode output, String error) {}

    private record DriverEvent(String instanceId, String workflow, JsonNode payload, Instant createdAt, Trigger trigger)
            implements WorkflowEvent {}
}

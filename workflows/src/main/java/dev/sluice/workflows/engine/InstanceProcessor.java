package dev.sluice.workflows.engine;

import dev.sluice.config.WorkflowConfig;
import dev.sluice.workflows.InstanceStatus;
import dev.sluice.workflows.Trigger;
import dev.sluice.workflows.internal.Effect;
import dev.sluice.workflows.internal.ErrorInfo;
import dev.sluice.workflows.internal.InstanceState;
import dev.sluice.workflows.internal.StepValue;
import dev.sluice.workflows.internal.StepValues;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The owner of the instances of one commands partition: applies each command to the instance's
 * {@link InstanceState}, carries out the effects (results, timers, dispatches, children), and fires
 * timers that fell due from a wall-clock punctuator. Every store write commits together with the
 * command's offset (exactly_once_v2); user code runs in {@link Executions}, never here.
 */
final class InstanceProcessor implements Processor<String, byte[], String, byte[]> {
    private static final Logger log = LoggerFactory.getLogger(InstanceProcessor.class);
    static final Duration TIMER_TICK = Duration.ofMillis(100);
    private static final int MAX_TIMERS_PER_TICK = 10_000;

    private final Map<String, WorkflowConfig> workflows;
    private final Executions executions;
    private final WorkflowMetrics metrics;
    private ProcessorContext<String, byte[]> context;
    private KeyValueStore<String, byte[]> instances;
    private KeyValueStore<String, byte[]> results;
    private KeyValueStore<Bytes, byte[]> timers;
    /** Tokens dispatched by this task, cancelled when the task goes away. */
    private final Set<String> dispatched = new HashSet<>();
    /** Instances whose execution was in flight when this task last ran, until RECOVER is sent for each. */
    private final List<String> inFlightBefore = new ArrayList<>();
    /**
     * The instances this task touched last, as objects: every command of a busy instance would otherwise
     * parse its JSON again (the store stays the truth; this holds what was last written to it).
     */
    private final Map<String, InstanceState> recent = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, InstanceState> eldest) {
            return size() > RECENT_INSTANCES;
        }
    };

    private static final int RECENT_INSTANCES = 10_000;

    private final BiConsumer<String, InstanceState> created;
    private final Set<TaskId> readyTasks;
    private final StatusCounts statusCounts;

    /**
     * @param created    told every create applied, with the instance it made or found (null: unknown workflow);
     *                   a REST create waits for it
     * @param readyTasks the tasks whose stores are restored and whose timers run: the engine is ready when all are
     * @param statusCounts instances by status, kept for the partitions this process owns
     */
    InstanceProcessor(
            Map<String, WorkflowConfig> workflows,
            Executions executions,
            WorkflowMetrics metrics,
            BiConsumer<String, InstanceState> created,
            Set<TaskId> readyTasks,
            StatusCounts statusCounts) {
        this.statusCounts = statusCounts;
        this.workflows = workflows;
        this.executions = executions;
        this.metrics = metrics;
        this.created = created;
        this.readyTasks = readyTasks;
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        instances = context.getStateStore(WorkflowTopics.INSTANCES);
        results = context.getStateStore(WorkflowTopics.RESULTS);
        timers = context.getStateStore(WorkflowTopics.TIMERS);
        context.schedule(TIMER_TICK, PunctuationType.WALL_CLOCK_TIME, this::tick);
        // One pass over the partition's instances: count them by status, and find the executions that were in
        // flight when this task last ran elsewhere (or before a crash). Each may have recorded its outcome (acked
        // in the commands topic, not yet applied here) or not: a RECOVER command behind those outcomes tells.
        inFlightBefore.clear();
        statusCounts.clearPartition(context.taskId().partition());
        try (KeyValueIterator<String, byte[]> it = instances.all()) {
            while (it.hasNext()) {
                KeyValue<String, byte[]> next = it.next();
                InstanceState state = readState(next.value);
                statusCounts.add(
                        state.workflow(), state.status(), context.taskId().partition(), 1);
                if (state.token() != null) {
                    inFlightBefore.add(next.key);
                }
            }
        }
        log.debug("task {}: {} executions in flight when it last ran", context.taskId(), inFlightBefore.size());
        // Timers that fell due while no process owned this partition fire now, not a tick later.
        fireTimers(System.currentTimeMillis());
        readyTasks.add(context.taskId());
    }

    @Override
    public void process(Record<String, byte[]> record) {
        String key = record.key();
        Command command;
        try {
            command = Command.fromBytes(record.value());
        } catch (UncheckedIOException e) {
            log.warn("skipping an unreadable workflow command for {}: {}", key, e.getMessage());
            return;
        }
        long now = System.currentTimeMillis();
        InstanceState state = load(key);
        if (command.type() == Command.Type.CREATE) {
            created.accept(key, create(key, state, command, now));
            return;
        }
        if (state == null) {
            return; // deleted after its retention, or never created
        }
        InstanceStatus before = state.status();
        List<Effect> effects = switch (command.type()) {
            case OUTCOME -> state.onOutcomes(command.token(), command.outcomes(), now);
            case EVENT -> state.onEvent(command.eventType(), command.payload(), now);
            case PAUSE -> state.pause(now);
            case RESUME -> state.resume(now);
            case TERMINATE -> state.terminate(now);
            case RESTART -> restart(state, command, now);
            case CHILD_FINISHED -> state.onChildFinished(command.stepId(), command.output(), command.error(), now);
            // Reached only after every outcome the lost execution had recorded: if one was, the token has moved on.
            case RECOVER ->
                command.token().equals(state.token()) && !dispatched.contains(command.token())
                        ? state.redispatch(now)
                        : List.of();
            case CREATE -> throw new IllegalStateException("handled above");
        };
        if (command.type() == Command.Type.OUTCOME) {
            dispatched.remove(command.token());
            if (!effects.isEmpty()) {
                command.outcomes().forEach(outcome -> metrics.attempt(state.workflow(), outcome));
            }
        }
        apply(key, state, before, effects, now);
    }

    private List<Effect> restart(InstanceState state, Command command, long now) {
        try {
            return state.restart(command.from(), command.count() == null ? 1 : command.count(), now);
        } catch (IllegalArgumentException e) {
            log.warn("workflow {} instance {}: restart ignored: {}", state.workflow(), state.id(), e.getMessage());
            return List.of();
        }
    }

    /** Returns the instance made, or the one that had the id; null for an unknown workflow. */
    private InstanceState create(String key, InstanceState existing, Command command, long now) {
        if (existing != null) {
            // One instance per id: a repeated create (a duplicate notification, a retried request) changes nothing.
            if (command.parent() != null && existing.status().isFinal()) {
                reportToParent(command.parent(), existing);
            }
            return existing;
        }
        if (!workflows.containsKey(command.workflow())) {
            log.warn("create for unknown workflow {} ignored", command.workflow());
            return null;
        }
        InstanceState state = InstanceState.create(
                command.workflow(),
                command.id(),
                command.params() == null ? StepValues.JSON.createObjectNode() : command.params(),
                command.trigger(),
                command.parent(),
                now);
        metrics.created(command.workflow());
        apply(key, state, null, state.start(now), now);
        return state;
    }

    private void reportToParent(InstanceState.ParentRef parent, InstanceState child) {
        boolean ok = child.status() == InstanceStatus.COMPLETE;
        forward(
                WorkflowTopics.key(parent.workflow(), parent.id()),
                Command.childFinished(
                        parent.stepId(),
                        ok ? child.output() : null,
                        ok
                                ? null
                                : child.error() != null
                                        ? child.error()
                                        : new ErrorInfo("Terminated", "instance " + child.id() + " was terminated")));
    }

    /** Carries out a transition's effects, then saves the instance; {@code before} is its status before (null: new). */
    private void apply(String key, InstanceState state, InstanceStatus before, List<Effect> effects, long now) {
        List<Effect> queue = new ArrayList<>(effects);
        for (int i = 0; i < queue.size(); i++) {
            Effect effect = queue.get(i);
            if (effect instanceof Effect.Dispatch d) {
                dispatched.add(d.token());
                Map<String, StepValue> snapshot = new HashMap<>();
                for (InstanceState.StepInfo step : state.steps()) {
                    if (step.end() != null && step.error() == null) {
                        byte[] value = results.get(resultKey(key, step.id()));
                        if (value != null) {
                            snapshot.put(step.id(), readValue(value));
                        }
                    }
                }
                executions.submit(new Executions.Task(
                        key,
                        d.token(),
                        state.workflow(),
                        state.id(),
                        state.params(),
                        state.queuedAt(),
                        state.trigger(),
                        state.history(snapshot::get)));
            } else if (effect instanceof Effect.StopAtBoundary b) {
                executions.stopAtBoundary(b.token());
            } else if (effect instanceof Effect.CancelExecution c) {
                dispatched.remove(c.token());
                executions.cancel(c.token());
            } else if (effect instanceof Effect.PutResult p) {
                results.put(resultKey(key, p.stepId()), Json.write(p.value()));
            } else if (effect instanceof Effect.DeleteResults d) {
                d.stepIds().forEach(stepId -> results.delete(resultKey(key, stepId)));
            } else if (effect instanceof Effect.SetTimer t) {
                timers.put(timerKey(t.due(), key), new byte[0]);
            } else if (effect instanceof Effect.CancelTimer c) {
                timers.delete(timerKey(c.due(), key));
            } else if (effect instanceof Effect.StartChild c) {
                forward(
                        WorkflowTopics.key(c.workflow(), c.childId()),
                        Command.create(
                                c.workflow(),
                                c.childId(),
                                c.params(),
                                Trigger.API,
                                new InstanceState.ParentRef(state.workflow(), state.id(), c.stepId())));
            } else if (effect instanceof Effect.NotifyParent n) {
                forward(
                        WorkflowTopics.key(n.parent().workflow(), n.parent().id()),
                        Command.childFinished(n.parent().stepId(), n.output(), n.error()));
            } else if (effect instanceof Effect.Finished) {
                metrics.finished(state, now);
                Duration retention = workflows.containsKey(state.workflow())
                        ? workflows.get(state.workflow()).retention()
                        : WorkflowConfig.DEFAULT_RETENTION;
                queue.addAll(state.expireAt(now + retention.toMillis()));
            }
        }
        instances.put(key, Json.write(state));
        recent.put(key, state);
        if (before != state.status()) {
            statusCounts.add(state.workflow(), before, context.taskId().partition(), -1);
            statusCounts.add(state.workflow(), state.status(), context.taskId().partition(), 1);
        }
    }

    private void forward(String key, Command command) {
        context.forward(new Record<>(key, command.toBytes(), System.currentTimeMillis()));
    }

    private void tick(long now) {
        askAboutLostExecutions();
        fireTimers(now);
    }

    /**
     * Sends RECOVER for each execution in flight when this task last ran. Sent now, it lands in the commands topic
     * behind any outcome that execution had recorded, so the instance runs again only if it recorded none: a step
     * whose result Kafka already holds is not run a second time.
     */
    private void askAboutLostExecutions() {
        for (String key : inFlightBefore) {
            InstanceState state = load(key);
            if (state != null && state.token() != null) {
                forward(key, Command.recover(state.token()));
            }
        }
        inFlightBefore.clear();
    }

    private void fireTimers(long now) {
        List<KeyValue<Bytes, byte[]>> due = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = timers.all()) {
            while (it.hasNext() && due.size() < MAX_TIMERS_PER_TICK) {
                KeyValue<Bytes, byte[]> next = it.next();
                if (dueOf(next.key) > now) {
                    break;
                }
                due.add(next);
            }
        }
        if (!due.isEmpty()) {
            log.debug("task {}: {} timers fell due", context.taskId(), due.size());
        }
        for (KeyValue<Bytes, byte[]> timer : due) {
            timers.delete(timer.key);
            long at = dueOf(timer.key);
            String key = keyOf(timer.key);
            InstanceState state = load(key);
            if (state == null) {
                continue;
            }
            if (state.isExpiry(at)) {
                delete(key, state);
            } else {
                InstanceStatus before = state.status();
                apply(key, state, before, state.onTimer(at, now), now);
            }
        }
    }

    private void delete(String key, InstanceState state) {
        for (InstanceState.StepInfo step : state.steps()) {
            results.delete(resultKey(key, step.id()));
        }
        instances.delete(key);
        recent.remove(key);
        statusCounts.add(state.workflow(), state.status(), context.taskId().partition(), -1);
    }

    @Override
    public void close() {
        readyTasks.remove(context.taskId());
        statusCounts.clearPartition(context.taskId().partition());
        recent.clear();
        // The task moves elsewhere or the engine stops: whatever runs here for it is moot now.
        for (String token : dispatched) {
            executions.cancel(token);
        }
        dispatched.clear();
    }

    private InstanceState load(String key) {
        InstanceState cached = recent.get(key);
        if (cached != null) {
            return cached;
        }
        byte[] bytes = instances.get(key);
        return bytes == null ? null : readState(bytes);
    }

    static InstanceState readState(byte[] bytes) {
        return Json.read(bytes, InstanceState.class);
    }

    static StepValue readValue(byte[] bytes) {
        return Json.read(bytes, StepValue.class);
    }

    static String resultKey(String instanceKey, String stepId) {
        return instanceKey + '\u0000' + stepId;
    }

    /** Big-endian due time first, so the store's byte order is due order. */
    static Bytes timerKey(long due, String instanceKey) {
        byte[] key = instanceKey.getBytes(StandardCharsets.UTF_8);
        return Bytes.wrap(
                ByteBuffer.allocate(8 + key.length).putLong(due).put(key).array());
    }

    static long dueOf(Bytes timerKey) {
        return ByteBuffer.wrap(timerKey.get()).getLong();
    }

    static String keyOf(Bytes timerKey) {
        byte[] bytes = timerKey.get();
        return new String(bytes, 8, bytes.length - 8, StandardCharsets.UTF_8);
    }
}

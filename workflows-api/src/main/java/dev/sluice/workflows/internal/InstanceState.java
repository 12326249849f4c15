package dev.sluice.workflows.internal;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.workflows.InstanceStatus;
import dev.sluice.workflows.StepOptions;
import dev.sluice.workflows.Trigger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * One instance's state and its transitions: what happens when an execution's outcome, a timer, an
 * event, a pause, resume, terminate or restart arrives. Pure: a transition changes this object and
 * returns the {@link Effect}s its host must carry out; the engine persists the object in a Kafka Streams
 * store, the test driver keeps it in memory.
 *
 * <p>Fencing: each dispatch gets a new random token, and an outcome is taken only with the current one;
 * so an execution that was cancelled, lost in a crash or left behind by a rebalance is ignored.
 */
@JsonAutoDetect(
        fieldVisibility = JsonAutoDetect.Visibility.ANY,
        getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE)
public final class InstanceState {

    private String workflow;
    private String id;
    private InstanceStatus status;
    private JsonNode params;
    private Trigger trigger;
    private long queuedAt;
    private Long startedAt;
    private Long endedAt;
    private long modifiedAt;
    private JsonNode output;
    private ErrorInfo error;
    private String token;
    private boolean pauseRequested;
    private List<StepInfo> steps = new ArrayList<>();
    private List<Event> inbox = new ArrayList<>();
    private Pending pending;
    private Long timerDue;
    private ParentRef parent;

    InstanceState() {}

    /** A new instance, queued; {@link #start} dispatches it. */
    public static InstanceState create(
            String workflow, String id, JsonNode params, Trigger trigger, ParentRef parent, long now) {
        InstanceState s = new InstanceState();
        s.workflow = workflow;
        s.id = id;
        s.params = params;
        s.trigger = trigger;
        s.parent = parent;
        s.queuedAt = now;
        s.modifiedAt = now;
        s.status = InstanceStatus.QUEUED;
        return s;
    }

    public List<Effect> start(long now) {
        List<Effect> effects = new ArrayList<>();
        proceed(effects, now);
        return effects;
    }

    // ---- transitions ----------------------------------------------------------------------------

    /**
     * What one execution reached: steps that succeeded one after another, recorded as they stand, then the
     * last outcome, taken as {@link #onOutcome} takes it. Ignored unless {@code outcomeToken} is current.
     */
    public List<Effect> onOutcomes(String outcomeToken, List<Outcome> outcomes, long now) {
        if (token == null || !token.equals(outcomeToken) || status.isFinal() || outcomes.isEmpty()) {
            return List.of();
        }
        List<Effect> effects = new ArrayList<>();
        for (Outcome outcome : outcomes.subList(0, outcomes.size() - 1)) {
            if (!(outcome instanceof Outcome.StepSucceeded s)) {
                throw new IllegalArgumentException(
                        "only succeeded steps can come before an execution's last outcome, not " + outcome);
            }
            recordSuccess(s, effects);
        }
        effects.addAll(onOutcome(outcomeToken, outcomes.get(outcomes.size() - 1), now));
        return effects;
    }

    /** The outcome of the execution that held {@code outcomeToken}; ignored unless that is the current one. */
    public List<Effect> onOutcome(String outcomeToken, Outcome outcome, long now) {
        if (token == null || !token.equals(outcomeToken) || status.isFinal()) {
            return List.of();
        }
        token = null;
        modifiedAt = now;
        List<Effect> effects = new ArrayList<>();
        if (status == InstanceStatus.WAITING_FOR_PAUSE) {
            status = InstanceStatus.PAUSED;
        }
        if (outcome instanceof Outcome.StepSucceeded s) {
            recordSuccess(s, effects);
            proceed(effects, now);
        } else if (outcome instanceof Outcome.StepAttemptFailed f) {
            StepInfo step = step(f.stepId(), f.name(), StepKind.STEP, f.start());
            step.options = f.options();
            step.attempts.add(new Attempt(f.start(), f.end(), false, f.error()));
            if (f.retryAt() == null) {
                step.finish(f.end(), f.error());
                proceed(effects, now);
            } else {
                await(effects, new Pending(PendingKind.RETRY, f.stepId(), f.retryAt(), null));
            }
        } else if (outcome instanceof Outcome.SleepRequested s) {
            StepInfo step = step(s.stepId(), s.name(), StepKind.SLEEP, s.start());
            if (step.due == null) {
                step.due = s.until(); // a sleep asked for again keeps its first due time
            }
            long until = step.due;
            if (until <= now) {
                step.finish(now, null);
                proceed(effects, now);
            } else {
                await(effects, new Pending(PendingKind.SLEEP, s.stepId(), until, null));
            }
        } else if (outcome instanceof Outcome.WaitRequested w) {
            StepInfo step = step(w.stepId(), w.name(), StepKind.WAIT_FOR_EVENT, w.start());
            step.eventType = w.eventType();
            if (step.due == null) {
                step.due = w.timeoutAt(); // a wait asked for again keeps its first deadline
            }
            Event event = takeFromInbox(w.eventType());
            if (event != null) {
                step.finish(now, null);
                effects.add(new Effect.PutResult(w.stepId(), eventValue(event.payload())));
                proceed(effects, now);
            } else {
                await(effects, new Pending(PendingKind.EVENT, w.stepId(), step.due, w.eventType()));
            }
        } else if (outcome instanceof Outcome.ChildRequested c) {
            step(c.stepId(), c.name(), StepKind.WORKFLOW, c.start());
            pending = new Pending(PendingKind.CHILD, c.stepId(), null, null);
            status = pauseRequested ? InstanceStatus.PAUSED : InstanceStatus.WAITING;
            effects.add(new Effect.StartChild(c.workflow(), c.childId(), c.params(), c.stepId()));
        } else if (outcome instanceof Outcome.Completed c) {
            finish(effects, InstanceStatus.COMPLETE, c.output(), null, now);
        } else if (outcome instanceof Outcome.Errored e) {
            finish(effects, InstanceStatus.ERRORED, null, e.error(), now);
        }
        return effects;
    }

    private void recordSuccess(Outcome.StepSucceeded s, List<Effect> effects) {
        StepInfo step = step(s.stepId(), s.name(), StepKind.STEP, s.start());
        step.options = s.options();
        step.attempts.add(new Attempt(s.start(), s.end(), true, null));
        step.finish(s.end(), null);
        effects.add(new Effect.PutResult(s.stepId(), s.value()));
    }

    /** The timer set for {@code due} fired; ignored unless it is this instance's current timer. */
    public List<Effect> onTimer(long due, long now) {
        if (timerDue == null || timerDue != due) {
            return List.of();
        }
        timerDue = null;
        List<Effect> effects = new ArrayList<>();
        if (status.isFinal()) {
            return effects;
        }
        if (pending == null) {
            return effects;
        }
        modifiedAt = now;
        Pending was = pending;
        pending = null;
        StepInfo step = findStep(was.stepId());
        if (was.kind() == PendingKind.SLEEP) {
            step.finish(now, null);
        } else if (was.kind() == PendingKind.EVENT) {
            step.finish(
                    now,
                    new ErrorInfo(
                            "WaitTimeoutException",
                            "no event of type '" + was.eventType() + "' arrived in time for step '" + step.name + "'"));
        }
        proceed(effects, now);
        return effects;
    }

    /** An event sent to the instance: delivered to the wait for its type, else kept for a later wait. */
    public List<Effect> onEvent(String type, JsonNode payload, long now) {
        if (status.isFinal()) {
            return List.of();
        }
        modifiedAt = now;
        List<Effect> effects = new ArrayList<>();
        if (pending != null
                && pending.kind() == PendingKind.EVENT
                && pending.eventType().equals(type)) {
            StepInfo step = findStep(pending.stepId());
            step.finish(now, null);
            effects.add(new Effect.PutResult(step.id, eventValue(payload)));
            cancelTimer(effects);
            pending = null;
            proceed(effects, now);
        } else {
            inbox.add(new Event(type, payload, now));
        }
        return effects;
    }

    /** A child started by step {@code stepId} ended. */
    public List<Effect> onChildFinished(String stepId, JsonNode childOutput, ErrorInfo childError, long now) {
        if (status.isFinal()
                || pending == null
                || pending.kind() != PendingKind.CHILD
                || !pending.stepId().equals(stepId)) {
            return List.of();
        }
        modifiedAt = now;
        List<Effect> effects = new ArrayList<>();
        StepInfo step = findStep(stepId);
        step.finish(now, childError);
        if (childError == null) {
            effects.add(new Effect.PutResult(stepId, eventValue(childOutput)));
        }
        pending = null;
        proceed(effects, now);
        return effects;
    }

    /** Holds the instance at its next step boundary. */
    public List<Effect> pause(long now) {
        if (status.isFinal() || pauseRequested) {
            return List.of();
        }
        modifiedAt = now;
        pauseRequested = true;
        if (token != null) {
            status = InstanceStatus.WAITING_FOR_PAUSE;
            return List.of(new Effect.StopAtBoundary(token));
        }
        status = InstanceStatus.PAUSED;
        return List.of();
    }

    public List<Effect> resume(long now) {
        if (status.isFinal() || !pauseRequested) {
            return List.of();
        }
        modifiedAt = now;
        pauseRequested = false;
        List<Effect> effects = new ArrayList<>();
        if (token != null) {
            status = InstanceStatus.RUNNING;
        } else if (pending != null) {
            status = InstanceStatus.WAITING;
        } else {
            proceed(effects, now);
        }
        return effects;
    }

    /** Ends the instance for good (until a restart). */
    public List<Effect> terminate(long now) {
        if (status.isFinal()) {
            return List.of();
        }
        List<Effect> effects = new ArrayList<>();
        finish(effects, InstanceStatus.TERMINATED, null, null, now);
        return effects;
    }

    /**
     * Runs the instance again from the start, or from the first step named {@code fromStep} (use
     * {@code count}, 1-based, of that name): the steps recorded before it keep their results.
     *
     * @throws IllegalArgumentException when there is no such step
     */
    public List<Effect> restart(String fromStep, int count, long now) {
        int keep = 0;
        if (fromStep != null) {
            keep = -1;
            int seen = 0;
            for (int i = 0; i < steps.size(); i++) {
                if (steps.get(i).name.equals(fromStep) && ++seen == Math.max(1, count)) {
                    keep = i;
                    break;
                }
            }
            if (keep < 0) {
                throw new IllegalArgumentException("instance " + id + " has no step '" + fromStep + "'"
                        + (count > 1 ? " used " + count + " times" : ""));
            }
        }
        List<Effect> effects = new ArrayList<>();
        if (token != null) {
            effects.add(new Effect.CancelExecution(token));
            token = null;
        }
        cancelTimer(effects);
        List<String> dropped = new ArrayList<>();
        for (StepInfo step : steps.subList(keep, steps.size())) {
            dropped.add(step.id);
        }
        steps = new ArrayList<>(steps.subList(0, keep));
        if (!dropped.isEmpty()) {
            effects.add(new Effect.DeleteResults(dropped));
        }
        output = null;
        error = null;
        endedAt = null;
        pending = null;
        inbox.clear();
        pauseRequested = false;
        modifiedAt = now;
        status = InstanceStatus.QUEUED;
        proceed(effects, now);
        return effects;
    }

    /** Sets the timer after which a finished instance is deleted. */
    public List<Effect> expireAt(long due) {
        List<Effect> effects = new ArrayList<>();
        cancelTimer(effects);
        timerDue = due;
        effects.add(new Effect.SetTimer(due));
        return effects;
    }

    /** True when the timer at {@code due} is this finished instance's expiry: time to delete it. */
    public boolean isExpiry(long due) {
        return status.isFinal() && timerDue != null && timerDue == due;
    }

    /**
     * The execution in flight was lost (its process or task went away) before it recorded an outcome: run it
     * again under the same token. The engine asks only once every outcome recorded before the loss has been
     * applied (a RECOVER command behind them); should both executions' outcomes still arrive, the first is taken
     * and the other ignored.
     */
    public List<Effect> redispatch(long now) {
        if (token == null || status.isFinal()) {
            return List.of();
        }
        return List.of(new Effect.Dispatch(token));
    }

    // ---- helpers ---------------------------------------------------------------------------------

    /**
     * 128 random bits. A token fences stale executions; it is not a secret, so it needs no SecureRandom
     * (whose lock {@code UUID.randomUUID} takes on every dispatch).
     */
    private static String newToken() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return Long.toHexString(random.nextLong()) + '-' + Long.toHexString(random.nextLong());
    }

    private void proceed(List<Effect> effects, long now) {
        if (pauseRequested) {
            status = InstanceStatus.PAUSED;
            return;
        }
        token = newToken();
        status = InstanceStatus.RUNNING;
        if (startedAt == null) {
            startedAt = now;
        }
        effects.add(new Effect.Dispatch(token));
    }

    private void await(List<Effect> effects, Pending what) {
        pending = what;
        status = pauseRequested ? InstanceStatus.PAUSED : InstanceStatus.WAITING;
        cancelTimer(effects);
        timerDue = what.due();
        effects.add(new Effect.SetTimer(what.due()));
    }

    private void cancelTimer(List<Effect> effects) {
        if (timerDue != null) {
            effects.add(new Effect.CancelTimer(timerDue));
            timerDue = null;
        }
    }

    private void finish(List<Effect> effects, InstanceStatus end, JsonNode out, ErrorInfo err, long now) {
        if (token != null) {
            effects.add(new Effect.CancelExecution(token));
            token = null;
        }
        cancelTimer(effects);
        status = end;
        output = out;
        error = err;
        endedAt = now;
        modifiedAt = now;
        pending = null;
        pauseRequested = false;
        effects.add(new Effect.Finished(end));
        if (parent != null) {
            ErrorInfo reported = end == InstanceStatus.COMPLETE
                    ? null
                    : err != null
                            ? err
                            : new ErrorInfo(
                                    "Terminated", "workflow " + workflow + " instance " + id + " was terminated");
            effects.add(new Effect.NotifyParent(parent, out, reported));
        }
    }

    private StepInfo step(String stepId, String name, StepKind kind, long start) {
        StepInfo step = findStepOrNull(stepId);
        if (step == null) {
            step = new StepInfo(stepId, name, kind, start);
            steps.add(step);
        }
        return step;
    }

    private StepInfo findStep(String stepId) {
        StepInfo step = findStepOrNull(stepId);
        if (step == null) {
            throw new IllegalStateException("instance " + id + " has no step " + stepId);
        }
        return step;
    }

    private StepInfo findStepOrNull(String stepId) {
        // The step in progress is almost always the last one.
        for (int i = steps.size() - 1; i >= 0; i--) {
            if (steps.get(i).id.equals(stepId)) {
                return steps.get(i);
            }
        }
        return null;
    }

    private Event takeFromInbox(String type) {
        for (Iterator<Event> it = inbox.iterator(); it.hasNext(); ) {
            Event event = it.next();
            if (event.type().equals(type)) {
                it.remove();
                return event;
            }
        }
        return null;
    }

    private static StepValue eventValue(JsonNode payload) {
        return payload == null ? StepValue.NULL : new StepValue(JsonNode.class.getName(), payload);
    }

    /** The recorded steps as the replay reads them, with results from {@code results}. */
    public History history(Function<String, StepValue> results) {
        Map<String, StepInfo> byId = new HashMap<>();
        for (StepInfo step : steps) {
            byId.put(step.id, step);
        }
        return stepId -> {
            StepInfo step = byId.get(stepId);
            if (step == null) {
                return null;
            }
            boolean done = step.end != null;
            StepValue value = done && step.error == null && step.kind != StepKind.SLEEP ? results.apply(stepId) : null;
            return new Recorded(step.kind, done, value, step.error, step.attempts.size());
        };
    }

    // ---- reads -----------------------------------------------------------------------------------

    public String workflow() {
        return workflow;
    }

    public String id() {
        return id;
    }

    public InstanceStatus status() {
        return status;
    }

    public JsonNode params() {
        return params;
    }

    public Trigger trigger() {
        return trigger;
    }

    public long queuedAt() {
        return queuedAt;
    }

    public Long startedAt() {
        return startedAt;
    }

    public Long endedAt() {
        return endedAt;
    }

    public long modifiedAt() {
        return modifiedAt;
    }

    public JsonNode output() {
        return output;
    }

    public ErrorInfo error() {
        return error;
    }

    /** The token of the execution in flight, or null. */
    public String token() {
        return token;
    }

    public List<StepInfo> steps() {
        return List.copyOf(steps);
    }

    public ParentRef parent() {
        return parent;
    }

    public Pending pending() {
        return pending;
    }

    /** A step as recorded so far. */
    @JsonAutoDetect(
            fieldVisibility = JsonAutoDetect.Visibility.ANY,
            getterVisibility = JsonAutoDetect.Visibility.NONE,
            isGetterVisibility = JsonAutoDetect.Visibility.NONE)
    public static final class StepInfo {
        private String id;
        private String name;
        private StepKind kind;
        private long start;
        private Long end;
        private ErrorInfo error;
        private StepOptions options;
        private List<Attempt> attempts = new ArrayList<>();
        private Long due;
        private String eventType;

        StepInfo() {}

        StepInfo(String id, String name, StepKind kind, long start) {
            this.id = id;
            this.name = name;
            this.kind = kind;
            this.start = start;
        }

        void finish(long at, ErrorInfo failure) {
            end = at;
            error = failure;
        }

        public String id() {
            return id;
        }

        public String name() {
            return name;
        }

        public StepKind kind() {
            return kind;
        }

        public long start() {
            return start;
        }

        /** When it finished, or null while it has not. */
        public Long end() {
            return end;
        }

        public ErrorInfo error() {
            return error;
        }

        /** Steps only: its retry and timeout options. */
        public StepOptions options() {
            return options;
        }

        public List<Attempt> attempts() {
            return List.copyOf(attempts);
        }

        /** Sleeps: when it is due; waits: when they time out. */
        public Long due() {
            return due;
        }

        /** Waits only: the event type. */
        public String eventType() {
            return eventType;
        }
    }

    public record Attempt(long start, Long end, boolean success, ErrorInfo error) {}

    public record Event(String type, JsonNode payload, long at) {}

    public enum PendingKind {
        SLEEP,
        RETRY,
        EVENT,
        CHILD
    }

    /** What a waiting instance waits for; {@code due} is null for a child. */
    public record Pending(PendingKind kind, String stepId, Long due, String eventType) {}

    /** The instance and step that started a child. */
    public record ParentRef(String workflow, String id, String stepId) {}
}

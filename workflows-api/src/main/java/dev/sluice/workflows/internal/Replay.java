package dev.sluice.workflows.internal;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.workflows.NonRetryableException;
import dev.sluice.workflows.StepFailedException;
import dev.sluice.workflows.StepOptions;
import dev.sluice.workflows.WaitTimeoutException;
import dev.sluice.workflows.WorkflowStep;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.LongUnaryOperator;

/**
 * The {@link WorkflowStep} of one execution: replays {@code run} against the recorded history, returning
 * recorded results at once, and stops the run ({@link Suspend}) at the first operation not yet recorded,
 * after carrying out one attempt of it if it is a step. This is where a workflow step is replayed.
 */
public final class Replay implements WorkflowStep {

    /** Lets a test make a step's attempts fail; the engine passes bodies through unchanged. */
    @FunctionalInterface
    public interface BodyWrapper {
        BodyWrapper NONE = new BodyWrapper() {
            @Override
            public <T> Callable<T> wrap(String name, int attempt, Callable<T> body) {
                return body;
            }
        };

        <T> Callable<T> wrap(String name, int attempt, Callable<T> body);
    }

    private final String instanceId;
    private final History history;
    private final LongSupplier clock;
    private final ClassLoader loader;
    private final BodyWrapper bodies;
    private final Map<String, Integer> uses = new HashMap<>();
    private Suspend suspended;
    private String bodyOf;
    private int attempt;
    private String idempotencyKey;

    public Replay(String instanceId, History history, LongSupplier clock, ClassLoader loader, BodyWrapper bodies) {
        this.instanceId = instanceId;
        this.history = history;
        this.clock = clock;
        this.loader = loader;
        this.bodies = bodies;
    }

    /** What {@code run} suspended at, or null when it has not. */
    Outcome suspendedAt() {
        return suspended == null ? null : suspended.outcome;
    }

    @Override
    public <T> T run(String name, Callable<T> body) {
        return run(name, StepOptions.DEFAULTS, body);
    }

    @Override
    @SuppressWarnings("unchecked") // recorded from this step's body, a Callable<T>, so read back as its T
    public <T> T run(String name, StepOptions options, Callable<T> body) {
        return step(name, options, value -> (T) StepValues.decode(value, loader), body);
    }

    @Override
    public <T> T run(String name, TypeReference<T> type, Callable<T> body) {
        return run(name, StepOptions.DEFAULTS, type, body);
    }

    @Override
    public <T> T run(String name, StepOptions options, TypeReference<T> type, Callable<T> body) {
        Objects.requireNonNull(type, "type");
        return step(name, options, value -> StepValues.decode(value, type), body);
    }

    private <T> T step(String name, StepOptions options, Function<StepValue, T> decode, Callable<T> body) {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(body, "body");
        Identity id = next(name, StepKind.STEP);
        Recorded recorded = history.get(id.key);
        int attemptNo = 1;
        if (recorded != null) {
            if (recorded.done()) {
                if (recorded.error() != null) {
                    throw new StepFailedException(name, recorded.error().message());
                }
                return decode.apply(recorded.value());
            }
            attemptNo = recorded.attempts() + 1;
        }
        long start = clock.getAsLong();
        bodyOf = name;
        attempt = attemptNo;
        idempotencyKey = instanceId + "/" + name + "/" + id.n;
        Outcome outcome;
        try {
            StepValue value =
                    StepValues.encode(AttemptTimer.call(bodies.wrap(name, attemptNo, body), options.timeout()));
            // Read it back now: a result that cannot become its type again fails this attempt, not a later replay.
            var unused = decode.apply(value);
            outcome = new Outcome.StepSucceeded(id.key, name, options, attemptNo, start, clock.getAsLong(), value);
        } catch (StepValues.ResultException e) {
            outcome = failed(
                    id,
                    name,
                    options,
                    attemptNo,
                    start,
                    new ErrorInfo("ResultException", "the result of step '" + name + "' " + e.getMessage()),
                    false);
        } catch (NonRetryableException e) {
            outcome = failed(id, name, options, attemptNo, start, ErrorInfo.of(e), false);
        } catch (Exception e) {
            outcome = failed(id, name, options, attemptNo, start, ErrorInfo.of(e), attemptNo <= options.retries());
        } finally {
            bodyOf = null;
        }
        throw suspend(outcome);
    }

    private Outcome failed(
            Identity id, String name, StepOptions options, int attemptNo, long start, ErrorInfo error, boolean retry) {
        long end = clock.getAsLong();
        Long retryAt = retry ? end + options.delayAfter(attemptNo).toMillis() : null;
        return new Outcome.StepAttemptFailed(id.key, name, options, attemptNo, start, end, error, retryAt);
    }

    @Override
    public void sleep(String name, Duration duration) {
        Objects.requireNonNull(duration, "duration");
        sleepStep(name, now -> now + Math.max(0, duration.toMillis()));
    }

    @Override
    public void sleepUntil(String name, Instant time) {
        Objects.requireNonNull(time, "time");
        sleepStep(name, now -> time.toEpochMilli());
    }

    private void sleepStep(String name, LongUnaryOperator untilFromNow) {
        Identity id = next(name, StepKind.SLEEP);
        if (isDone(id)) {
            return;
        }
        long now = clock.getAsLong();
        throw suspend(new Outcome.SleepRequested(id.key, name, now, untilFromNow.applyAsLong(now)));
    }

    @Override
    public JsonNode waitForEvent(String name, String type, Duration timeout) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(timeout, "timeout");
        Identity id = next(name, StepKind.WAIT_FOR_EVENT);
        Recorded recorded = history.get(id.key);
        if (recorded != null && recorded.done()) {
            if (recorded.error() != null) {
                throw new WaitTimeoutException(recorded.error().message());
            }
            return recorded.value() == null ? null : recorded.value().value();
        }
        long now = clock.getAsLong();
        throw suspend(new Outcome.WaitRequested(id.key, name, now, type, now + timeout.toMillis()));
    }

    @Override
    public JsonNode runWorkflow(String name, String workflow, Object params) {
        Objects.requireNonNull(workflow, "workflow");
        Identity id = next(name, StepKind.WORKFLOW);
        Recorded recorded = history.get(id.key);
        if (recorded != null && recorded.done()) {
            if (recorded.error() != null) {
                throw new StepFailedException(name, recorded.error().message());
            }
            return recorded.value() == null ? null : recorded.value().value();
        }
        JsonNode json = StepValues.toJson(params);
        throw suspend(new Outcome.ChildRequested(
                id.key, name, clock.getAsLong(), workflow, childId(instanceId, id.key), json));
    }

    /** The id of the child an instance's step starts: stable across replays, unique per step. */
    static String childId(String parentId, String stepId) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(stepId.getBytes(StandardCharsets.UTF_8));
            return parentId + "-" + HexFormat.of().formatHex(digest, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    @Override
    public int attempt() {
        requireInBody("attempt()");
        return attempt;
    }

    @Override
    public String idempotencyKey() {
        requireInBody("idempotencyKey()");
        return idempotencyKey;
    }

    private void requireInBody(String what) {
        if (bodyOf == null) {
            throw new IllegalStateException("step." + what + " is only known inside a step body");
        }
    }

    private boolean isDone(Identity id) {
        Recorded recorded = history.get(id.key);
        return recorded != null && recorded.done();
    }

    private Identity next(String name, StepKind kind) {
        if (suspended != null) {
            // The workflow caught the suspension (catch Throwable); stop it again.
            throw suspended;
        }
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("a step needs a name");
        }
        if (bodyOf != null) {
            throw new IllegalStateException(kind.call() + "(\"" + name + "\") was called inside the body of step '"
                    + bodyOf + "'; steps cannot nest: call it from run()");
        }
        int n = uses.merge(name, 1, Integer::sum) - 1;
        Identity id = new Identity(name + "#" + n, n);
        Recorded recorded = history.get(id.key);
        if (recorded != null && recorded.kind() != kind) {
            throw new NonDeterminismError("step '" + name + "'" + (n > 0 ? " (use " + (n + 1) + " of that name)" : "")
                    + " was recorded as " + recorded.kind().call() + " but this replay calls " + kind.call()
                    + " there: the workflow's code changed, or its control flow outside steps is not deterministic");
        }
        return id;
    }

    private Suspend suspend(Outcome outcome) {
        suspended = new Suspend(outcome);
        return suspended;
    }

    private record Identity(String key, int n) {}
}

package dev.sluice.workflows;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;

/**
 * The durable operations of a {@link Workflow}: steps whose results are persisted, sleeps and waits
 * that hold no thread, and child workflows.
 *
 * <pre>{@code
 * String id = step.run("reserve", () -> inventory.reserve(order, step.idempotencyKey()));
 * step.sleep("grace period", Duration.ofHours(1));
 * JsonNode approval = step.waitForEvent("approval", "approved", Duration.ofDays(2));
 * }</pre>
 *
 * <p>A step is identified by its name and how many times that name was used before in the run, so a
 * loop may reuse a name. The identity must lead to the same kind of operation on every replay: a
 * replay that asks for a sleep where a step result is recorded errors the instance and says so.
 */
public interface WorkflowStep {

    /**
     * Runs {@code body} until it succeeds (retrying with {@link StepOptions#DEFAULTS}), records its result
     * as JSON and returns it; on every later replay returns the recorded result without running
     * {@code body}. The result comes back as the type it had: String, numbers, boolean, {@link JsonNode},
     * Map and List (as LinkedHashMap and ArrayList), records and POJOs. Use
     * {@link #run(String, TypeReference, Callable)} for generic types such as {@code List<Order>}. A result
     * over 1 MiB of JSON fails the step.
     *
     * @throws StepFailedException when the step failed for good
     */
    <T> T run(String name, Callable<T> body);

    /** {@link #run(String, Callable)} with its own retries and timeout. */
    <T> T run(String name, StepOptions options, Callable<T> body);

    /** {@link #run(String, Callable)} for a generic result type, e.g. {@code new TypeReference<List<Order>>() {}}. */
    <T> T run(String name, TypeReference<T> type, Callable<T> body);

    /** {@link #run(String, StepOptions, Callable)} for a generic result type. */
    <T> T run(String name, StepOptions options, TypeReference<T> type, Callable<T> body);

    /** Suspends the instance for {@code duration} without holding a thread; survives restarts. */
    void sleep(String name, Duration duration);

    /** Suspends the instance until {@code time} (at once if it has passed). */
    void sleepUntil(String name, Instant time);

    /**
     * The payload of the next event of {@code type} sent to this instance (REST
     * {@code POST .../instances/{id}/events/{type}}). Events sent before the wait are kept and delivered
     * in the order they arrived.
     *
     * @throws WaitTimeoutException when none arrived within {@code timeout}
     */
    JsonNode waitForEvent(String name, String type, Duration timeout);

    /**
     * Starts an instance of another workflow with {@code params} and waits, without holding a thread,
     * for its output (null when it returned nothing). The child's id is derived from this instance and
     * step, so a replay never starts a second one.
     *
     * @throws StepFailedException when the child errored or was terminated
     */
    JsonNode runWorkflow(String name, String workflow, Object params);

    /** Inside a step body: which attempt this is, 1 for the first. */
    int attempt();

    /**
     * Inside a step body: {@code {instance}/{step}/{n}}, the same for every attempt of this step in this
     * instance and different for every other; hand it to outside APIs so that a retried call is not
     * carried out twice.
     */
    String idempotencyKey();
}

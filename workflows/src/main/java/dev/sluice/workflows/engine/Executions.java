package dev.sluice.workflows.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.workflows.Trigger;
import dev.sluice.workflows.internal.History;

/**
 * Where {@link InstanceProcessor} sends the executions it dispatches: user code runs there, never on a stream
 * thread, and reports back with a command carrying the execution's token.
 */
interface Executions {

    /** What one execution needs, copied off the stream thread's stores. */
    record Task(
            String instanceKey,
            String token,
            String workflow,
            String instanceId,
            JsonNode params,
            long queuedAt,
            Trigger trigger,
            History history) {}

    void submit(Task task);

    /** A pause: the execution holding {@code token} finishes the step it runs and starts no other. */
    void stopAtBoundary(String token);

    /** Interrupts the execution holding {@code token}, if it is still running here. */
    void cancel(String token);
}

package dev.sluice.workflows;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * What started an instance.
 *
 * <pre>{@code
 * public Object run(WorkflowEvent event, WorkflowStep step) {
 *     if (event.trigger() == Trigger.EVENT) {
 *         String key = event.payload().path("object").path("key").asText();   // the object written
 *     }
 *     ...
 * }
 * }</pre>
 *
 * @see Trigger
 */
public interface WorkflowEvent {

    /** The instance's id: the one given at creation, a generated one, or derived from the object or tick. */
    String instanceId();

    /** The workflow's name. */
    String workflow();

    /**
     * The notification of the object written (trigger {@code EVENT}), the {@code params} of a REST create
     * ({@code API}), or {@code {"scheduledTime": "..."}} for a schedule tick ({@code CRON}); an empty
     * object when there were none. Never null.
     */
    JsonNode payload();

    /** When the instance was created (queued). */
    Instant createdAt();

    /** How it was started. */
    Trigger trigger();
}

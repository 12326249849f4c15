package dev.sluice.examples;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.workflows.StepOptions;
import dev.sluice.workflows.WaitTimeoutException;
import dev.sluice.workflows.Workflow;
import dev.sluice.workflows.WorkflowContext;
import dev.sluice.workflows.WorkflowEvent;
import dev.sluice.workflows.WorkflowStep;
import java.time.Duration;
import java.util.Map;

/**
 * Human in the loop: reserves an order's stock, then waits for an {@code approval} event
 * ({@code POST .../instances/{id}/events/approval} with {@code {"approved":true,"by":"ada"}}). Approved, it
 * confirms the order; rejected or not answered within {@code timeoutHours} (default 24), it releases
 * the stock.
 *
 * <pre>{@code
 * workflows:
 *   - name: order-approval
 *     class: dev.sluice.examples.OrderApproval
 *     config: { timeoutHours: 24 }
 * }</pre>
 */
public final class OrderApproval implements Workflow {
    private Duration timeout;

    @Override
    public void open(WorkflowContext context) {
        timeout = Duration.ofHours(context.configLong("timeoutHours", 24));
    }

    @Override
    public Object run(WorkflowEvent event, WorkflowStep step) {
        String orderId = event.payload().path("orderId").asText();
        String reservation = step.run("reserve stock", () -> "reservation-" + orderId);
        try {
            JsonNode approval = step.waitForEvent("approval", "approval", timeout);
            if (approval != null && approval.path("approved").asBoolean()) {
                String by = approval.path("by").asText("unknown");
                step.run("confirm order", StepOptions.DEFAULTS.retries(10), () -> "confirmed " + orderId);
                return Map.of("orderId", orderId, "status", "approved", "by", by);
            }
            step.run("release stock", () -> "released " + reservation);
            return Map.of("orderId", orderId, "status", "rejected");
        } catch (WaitTimeoutException e) {
            step.run("release stock", () -> "released " + reservation);
            return Map.of("orderId", orderId, "status", "expired");
        }
    }
}

package dev.sluice.examples;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.workflows.NonRetryableException;
import dev.sluice.workflows.Workflow;
import dev.sluice.workflows.WorkflowContext;
import dev.sluice.workflows.WorkflowEvent;
import dev.sluice.workflows.WorkflowStep;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/**
 * Sleep, then check: started for a cart (params {@code {"cartId":"c-1"}}), sleeps {@code remindAfterMinutes}
 * (default 3 days), asks the shop whether the cart was checked out ({@code GET {shopUrl}/carts/{cartId}}
 * answering {@code {"checkedOut":true|false}}) and, if not, asks it to send a reminder
 * ({@code POST {shopUrl}/reminders} with the step's idempotency key, so a retried call sends one email).
 *
 * <pre>{@code
 * workflows:
 *   - name: cart-reminder
 *     class: dev.sluice.examples.CartReminder
 *     config: { shopUrl: "https://shop.internal", remindAfterMinutes: 4320 }
 * }</pre>
 */
public final class CartReminder implements Workflow {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private String shopUrl;
    private Duration remindAfter;

    @Override
    public void open(WorkflowContext context) {
        shopUrl = context.configString("shopUrl", "http://127.0.0.1:8081");
        remindAfter = Duration.ofMinutes(context.configLong("remindAfterMinutes", 3 * 24 * 60));
    }

    @Override
    public Object run(WorkflowEvent event, WorkflowStep step) {
        String cartId = event.payload().path("cartId").asText();
        step.sleep("wait before reminding", remindAfter);
        boolean checkedOut = step.run(
                "check cart",
                () -> JSON.readTree(call(HttpRequest.newBuilder(URI.create(shopUrl + "/carts/" + cartId))
                                .GET()
                                .build()))
                        .path("checkedOut")
                        .asBoolean());
        if (checkedOut) {
            return Map.of("cartId", cartId, "reminded", false);
        }
        step.run(
                "send reminder",
                () -> call(HttpRequest.newBuilder(URI.create(shopUrl + "/reminders"))
                        .header("Idempotency-Key", step.idempotencyKey())
                        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("cartId", cartId))))
                        .build()));
        return Map.of("cartId", cartId, "reminded", true);
    }

    private String call(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 404) {
            throw new NonRetryableException(request.uri() + " answered 404");
        }
        if (response.statusCode() >= 300) {
            throw new IOException(request.uri() + " answered " + response.statusCode());
        }
        return response.body();
    }
}

package dev.sluice.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.sluice.workflows.InstanceStatus;
import dev.sluice.workflows.WorkflowTestDriver;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The example workflows through {@link WorkflowTestDriver}: no broker, virtual time. */
class WorkflowExamplesTest {

    @Test
    void orderApprovalConfirmsRejectsOrExpires() {
        WorkflowTestDriver driver =
                WorkflowTestDriver.of("order-approval", new OrderApproval()).config(Map.of("timeoutHours", 2));
        WorkflowTestDriver.Run approved = driver.start(Map.of("orderId", "o-1"));
        assertEquals(InstanceStatus.WAITING, approved.status());
        approved.sendEvent("approval", Map.of("approved", true, "by", "ada"));
        assertEquals("{\"orderId\":\"o-1\",\"status\":\"approved\",\"by\":\"ada\"}", sorted(approved));

        WorkflowTestDriver.Run rejected = driver.start(Map.of("orderId", "o-2"));
        rejected.sendEvent("approval", Map.of("approved", false));
        assertEquals("rejected", rejected.output().path("status").asText());
        assertTrue(rejected.step("release stock").finished());

        WorkflowTestDriver.Run expired = driver.start(Map.of("orderId", "o-3"));
        expired.advance(Duration.ofHours(1));
        assertEquals(InstanceStatus.WAITING, expired.status());
        expired.advance(Duration.ofHours(1));
        assertEquals("expired", expired.output().path("status").asText());
    }

    @Test
    void cartReminderRemindsOnceOnlyWhenTheCartWasNotCheckedOut() throws IOException {
        List<String> reminders = new CopyOnWriteArrayList<>();
        AtomicInteger reminderCalls = new AtomicInteger();
        HttpServer shop = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        shop.createContext("/carts/", exchange -> {
            boolean checkedOut = exchange.getRequestURI().getPath().endsWith("/paid");
            respond(exchange, 200, "{\"checkedOut\":" + checkedOut + "}");
        });
        shop.createContext("/reminders", exchange -> {
            exchange.getRequestBody().readAllBytes();
            if (reminderCalls.incrementAndGet() == 1) {
                respond(exchange, 503, "busy"); // the first call fails: the step retries with the same key
                return;
            }
            reminders.add(exchange.getRequestHeaders().getFirst("Idempotency-Key"));
            respond(exchange, 200, "{}");
        });
        shop.start();
        try {
            WorkflowTestDriver driver = WorkflowTestDriver.of("cart-reminder", new CartReminder())
                    .config(Map.of(
                            "shopUrl", "http://127.0.0.1:" + shop.getAddress().getPort(), "remindAfterMinutes", 60));
            WorkflowTestDriver.Run paid = driver.start("cart-1", Map.of("cartId", "paid"));
            assertEquals(InstanceStatus.COMPLETE, paid.status(), paid::error);
            assertEquals(false, paid.output().path("reminded").asBoolean());
            WorkflowTestDriver.Run abandoned = driver.start("cart-2", Map.of("cartId", "open"));
            assertEquals(InstanceStatus.COMPLETE, abandoned.status(), abandoned::error);
            assertEquals(true, abandoned.output().path("reminded").asBoolean());
            assertEquals(2, abandoned.step("send reminder").attempts());
            assertEquals(List.of("cart-2/send reminder/0"), reminders);
        } finally {
            shop.stop(0);
        }
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    private static String sorted(WorkflowTestDriver.Run run) {
        var out = run.output();
        return "{\"orderId\":" + out.get("orderId") + ",\"status\":" + out.get("status") + ",\"by\":" + out.get("by")
                + "}";
    }
}

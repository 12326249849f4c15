package dev.sluice.workflows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class WorkflowTestDriverTest {

    record Order(String id, int quantity, List<String> tags) {}

    @Test
    void recordedStepsRunOnceAndComeBackAsTheirTypes() {
        AtomicInteger bodies = new AtomicInteger();
        List<Object> seen = Collections.synchronizedList(new ArrayList<>());
        Workflow workflow = (event, step) -> {
            String s = step.run("string", () -> {
                bodies.incrementAndGet();
                return "a";
            });
            Integer i = step.run("int", () -> {
                bodies.incrementAndGet();
                return 7;
            });
            Long l = step.run("long", () -> {
                bodies.incrementAndGet();
                return 1L << 40;
            });
            Boolean b = step.run("bool", () -> {
                bodies.incrementAndGet();
                return true;
            });
            Order o = step.run("record", () -> {
                bodies.incrementAndGet();
                return new Order("o1", 2, List.of("x"));
            });
            Map<String, Object> m = step.run("map", () -> {
                bodies.incrementAndGet();
                return Map.<String, Object>of("k", 1);
            });
            List<Order> orders = step.run("generic", new TypeReference<List<Order>>() {}, () -> {
                bodies.incrementAndGet();
                return List.of(new Order("o2", 1, List.of()));
            });
            JsonNode node = step.run("json", () -> {
                bodies.incrementAndGet();
                return event.payload();
            });
            Instant t = step.run("instant", () -> {
                bodies.incrementAndGet();
                return Instant.parse("2031-02-03T04:05:06Z");
            });
            Object nothing = step.run("null", () -> {
                bodies.incrementAndGet();
                return null;
            });
            seen.add(List.of(s, i, l, b, o, m, orders.get(0), node, t));
            assertNull(nothing);
            return orders.get(0).id() + o.quantity();
        };
        WorkflowTestDriver.Run run = WorkflowTestDriver.of(workflow).start(Map.of("p", 1));
        assertEquals(InstanceStatus.COMPLETE, run.status());
        assertEquals("o22", run.output().asText());
        assertEquals(10, bodies.get(), "every body ran exactly once across 11 replays");
        List<?> last = (List<?>) seen.get(seen.size() - 1);
        assertEquals(
                List.of(
                        "a",
                        7,
                        1L << 40,
                        true,
                        new Order("o1", 2, List.of("x")),
                        Map.of("k", 1),
                        new Order("o2", 1, List.of()),
                        last.get(7),
                        Instant.parse("2031-02-03T04:05:06Z")),
                last);
        assertEquals(1, ((JsonNode) last.get(7)).path("p").asInt());
        // The first run of each step sees the same (read-back) value as later replays.
        for (Object replay : seen) {
            assertEquals(last, replay);
        }
    }

    @Test
    void failedAttemptsAreRetriedWithBackoffUntilTheLimit() {
        AtomicInteger calls = new AtomicInteger();
        Workflow workflow = (event, step) -> step.run(
                "flaky",
                StepOptions.DEFAULTS.retries(3).delay(Duration.ofSeconds(10)),
                () -> "ok after " + step.attempt() + " " + calls.incrementAndGet());
        WorkflowTestDriver driver = WorkflowTestDriver.of(workflow).failStep("flaky", 2);
        Instant start = driver.now();
        WorkflowTestDriver.Run run = driver.start(Map.of());
        assertEquals(InstanceStatus.COMPLETE, run.status());
        assertEquals("ok after 3 1", run.output().asText());
        assertEquals(3, run.step("flaky").attempts());
        // Exponential: 10 s after the first failure, 20 s after the second.
        assertEquals(Duration.ofSeconds(30), Duration.between(start, driver.now()));
    }

    @Test
    void aStepThatKeepsFailingErrorsTheInstanceAfterItsRetries() {
        Workflow workflow = (event, step) -> step.run("never", StepOptions.DEFAULTS.retries(2), () -> {
            throw new IllegalStateException("down");
        });
        WorkflowTestDriver.Run run = WorkflowTestDriver.of(workflow).start(Map.of());
        assertEquals(InstanceStatus.ERRORED, run.status());
        assertEquals(3, run.step("never").attempts());
        assertTrue(run.error().contains("step 'never' failed: down"), run.error());
    }

    @Test
    void nonRetryableFailsAtOnceAndTheWorkflowMayCatchIt() {
        Workflow workflow = (event, step) -> {
            try {
                step.run("charge", () -> {
                    throw new NonRetryableException("card declined");
                });
                return "charged";
            } catch (StepFailedException e) {
                return step.run("compensate", () -> "released: " + e.getMessage());
            }
        };
        WorkflowTestDriver.Run run = WorkflowTestDriver.of(workflow).start(Map.of());
        assertEquals(InstanceStatus.COMPLETE, run.status());
        assertEquals(1, run.step("charge").attempts());
        assertEquals(
                "released: step 'charge' failed: card declined", run.output().asText());
    }

    @Test
    void anAttemptOverItsTimeoutFails() {
        Workflow workflow = (event, step) ->
                step.run("slow", StepOptions.DEFAULTS.retries(0).timeout(Duration.ofMillis(50)), () -> {
                    Thread.sleep(10_000); // interrupted by the step timeout
                    return "late";
                });
        WorkflowTestDriver.Run run = WorkflowTestDriver.of(workflow).start(Map.of());
        assertEquals(InstanceStatus.ERRORED, run.status());
        assertTrue(
                run.step("slow").error().contains("timeout of 50 ms"),
                run.step("slow").error());
        assertFalse(Thread.currentThread().isInterrupted(), "the timeout's interrupt does not leak past the step");
    }

    @Test
    void aResultOverOneMebibyteFailsTheStepWithoutRetrying() {
        Workflow workflow = (event, step) -> step.run("big", () -> "x".repeat(1 << 20));
        WorkflowTestDriver.Run run = WorkflowTestDriver.of(workflow).start(Map.of());
        assertEquals(InstanceStatus.ERRORED, run.status());
        assertEquals(1, run.step("big").attempts());
        assertTrue(run.error().contains("at most 1048576 bytes"), run.error());
    }

    @Test
    void sleepsPassInVirtualTime() {
        Workflow workflow = (event, step) -> {
            step.sleep("nap", Duration.ofDays(3));
            step.sleepUntil("alarm", Instant.parse("2030-02-01T00:00:00Z"));
            return step.run("after", () -> "woke");
        };
        WorkflowTestDriver driver = WorkflowTestDriver.of(workflow);
        WorkflowTestDriver.Run run = driver.start(Map.of());
        assertEquals(InstanceStatus.COMPLETE, run.status());
        assertEquals(Instant.parse("2030-02-01T00:00:00Z"), driver.now());
        assertEquals("sleep", run.step("nap").type());
    }

    @Test
    void eventsSentBeforeDuringAndNeverReachTheWait() {
        Workflow workflow = (event, step) -> {
            step.run("prepare", () -> 1);
            JsonNode first = step.waitForEvent("first", "approval", Duration.ofHours(1));
            String second;
            try {
                second = step.waitForEvent("second", "approval", Duration.ofHours(1))
                        .path("by")
                        .asText();
            } catch (WaitTimeoutException e) {
                second = "timed out";
            }
            return first.path("by").asText() + "/" + second;
        };
        WorkflowTestDriver driver = WorkflowTestDriver.of(workflow);
        // Sent while waiting.
        WorkflowTestDriver.Run during = driver.start(Map.of());
        assertEquals(InstanceStatus.WAITING, during.status());
        during.sendEvent("other", Map.of("by", "nobody"));
        assertEquals(InstanceStatus.WAITING, during.status());
        during.sendEvent("approval", Map.of("by", "ada"));
        assertEquals(InstanceStatus.WAITING, during.status());
        during.advance(Duration.ofMinutes(59));
        assertEquals(InstanceStatus.WAITING, during.status());
        during.sendEvent("approval", Map.of("by", "bob"));
        assertEquals(InstanceStatus.COMPLETE, during.status());
        assertEquals("ada/bob", during.output().asText());
        // Never sent: the second wait times out and the workflow catches it.
        WorkflowTestDriver.Run never = driver.start(Map.of());
        never.sendEvent("approval", Map.of("by", "cy"));
        never.advance(Duration.ofHours(2));
        assertEquals(InstanceStatus.COMPLETE, never.status());
        assertEquals("cy/timed out", never.output().asText());
    }

    @Test
    void anEventSentBeforeTheWaitIsKept() {
        Workflow workflow = (event, step) -> {
            step.sleep("first a nap", Duration.ofMinutes(1));
            return step.waitForEvent("approval", "approval", Duration.ofHours(1))
                    .path("ok")
                    .asBoolean();
        };
        WorkflowTestDriver driver = WorkflowTestDriver.of(workflow);
        WorkflowTestDriver.Run run = driver.start(Map.of());
        assertEquals(InstanceStatus.WAITING, run.status());
        WorkflowTestDriver.Run early = WorkflowTestDriver.of((event, step) -> {
                    step.waitForEvent("gate", "go", Duration.ofHours(1));
                    return step.waitForEvent("approval", "approval", Duration.ofHours(1))
                            .path("ok")
                            .asBoolean();
                })
                .start(Map.of());
        early.sendEvent("approval", Map.of("ok", true)); // before its wait is reached
        assertEquals(InstanceStatus.WAITING, early.status());
        early.sendEvent("go", Map.of());
        assertEquals(InstanceStatus.COMPLETE, early.status());
        assertTrue(early.output().asBoolean());
    }

    @Test
    void aLoopMayReuseAStepName() {
        AtomicInteger bodies = new AtomicInteger();
        Workflow workflow = (event, step) -> {
            int sum = 0;
            for (int i = 0; i < 5; i++) {
                int n = i;
                sum += step.run("add", () -> {
                    bodies.incrementAndGet();
                    return n;
                });
                step.sleep("tick", Duration.ofSeconds(1));
            }
            return sum;
        };
        WorkflowTestDriver.Run run = WorkflowTestDriver.of(workflow).start(Map.of());
        assertEquals(10, run.output().asInt());
        assertEquals(5, bodies.get());
        assertEquals(10, run.steps().size());
    }

    @Test
    void aReplayThatAsksForAnotherKindOfStepErrorsTheInstance() {
        AtomicInteger runs = new AtomicInteger();
        Workflow workflow = (event, step) -> {
            if (runs.incrementAndGet() == 1) {
                step.run("a", () -> 1);
            } else {
                step.sleep("a", Duration.ofSeconds(1));
            }
            return "done";
        };
        WorkflowTestDriver.Run run = WorkflowTestDriver.of(workflow).start(Map.of());
        assertEquals(InstanceStatus.ERRORED, run.status());
        assertTrue(run.error().contains("recorded as step.run but this replay calls step.sleep"), run.error());
    }

    @Test
    void catchingThrowableDoesNotLetARunPastItsSuspension() {
        Workflow workflow = (event, step) -> {
            try {
                step.sleep("nap", Duration.ofSeconds(5));
            } catch (Throwable swallowed) {
                // a careless workflow
            }
            return step.run("after", () -> "ran");
        };
        WorkflowTestDriver.Run run = WorkflowTestDriver.of(workflow).start(Map.of());
        assertEquals(InstanceStatus.COMPLETE, run.status());
        assertEquals(
                List.of("nap", "after"),
                run.steps().stream().map(WorkflowTestDriver.StepRecord::name).toList());
    }

    @Test
    void stepsCannotNestAndAttemptIsOnlyKnownInsideABody() {
        Workflow nested = (event, step) -> step.run("outer", () -> step.run("inner", () -> 1));
        WorkflowTestDriver.Run run = WorkflowTestDriver.of(nested).start(Map.of());
        assertEquals(InstanceStatus.ERRORED, run.status());
        assertTrue(run.error().contains("steps cannot nest"), run.error());
        Workflow outside = (event, step) -> step.attempt();
        assertTrue(WorkflowTestDriver.of(outside).start(Map.of()).error().contains("only known inside a step body"));
    }

    @Test
    void idempotencyKeysAreStablePerStepAndUse() {
        Workflow workflow = (event, step) -> {
            String a = step.run("call", step::idempotencyKey);
            String b = step.run("call", step::idempotencyKey);
            return a + " " + b;
        };
        WorkflowTestDriver.Run run =
                WorkflowTestDriver.of(workflow).failStep("call", 1).start("i-1", Map.of());
        assertEquals("i-1/call/0 i-1/call/1", run.output().asText());
    }

    @Test
    void childWorkflowsReturnTheirOutputOrFailTheStep() {
        Workflow child = (event, step) -> {
            if (event.payload().path("fail").asBoolean()) {
                throw new IllegalArgumentException("bad child");
            }
            return step.run("double", () -> event.payload().path("n").asInt() * 2);
        };
        Workflow parent = (event, step) -> {
            JsonNode good = step.runWorkflow("good", "child", Map.of("n", 21));
            try {
                step.runWorkflow("bad", "child", Map.of("fail", true));
                return "unexpected";
            } catch (StepFailedException e) {
                return good.asInt() + " " + e.getMessage();
            }
        };
        WorkflowTestDriver.Run run =
                WorkflowTestDriver.of(parent).register("child", child).start("p", Map.of());
        assertEquals(InstanceStatus.COMPLETE, run.status());
        assertTrue(
                run.output().asText().startsWith("42 step 'bad' failed:"),
                run.output().asText());
        assertTrue(run.output().asText().contains("bad child"), run.output().asText());
        assertEquals("workflow", run.step("good").type());
    }

    @Test
    void pauseHoldsAtTheNextBoundaryResumeContinuesTerminateEnds() {
        Workflow workflow = (event, step) -> {
            step.run("one", () -> 1);
            step.sleep("nap", Duration.ofMinutes(1));
            return step.run("two", () -> 2);
        };
        WorkflowTestDriver driver = WorkflowTestDriver.of(workflow);
        WorkflowTestDriver.Run run = driver.start(Map.of());
        assertEquals(InstanceStatus.COMPLETE, run.status());

        WorkflowTestDriver.Run waiting = WorkflowTestDriver.of((event, step) -> {
                    step.waitForEvent("gate", "go", Duration.ofDays(1));
                    step.run("after gate", () -> 1);
                    return "done";
                })
                .start(Map.of());
        waiting.pause();
        assertEquals(InstanceStatus.PAUSED, waiting.status());
        waiting.sendEvent("go", Map.of());
        assertEquals(InstanceStatus.PAUSED, waiting.status(), "a paused instance records the event but holds");
        assertThrows(IllegalArgumentException.class, () -> waiting.step("after gate"));
        waiting.resume();
        assertEquals(InstanceStatus.COMPLETE, waiting.status());

        WorkflowTestDriver.Run terminated = WorkflowTestDriver.of(
                        (event, step) -> step.waitForEvent("gate", "go", Duration.ofDays(1)))
                .start(Map.of());
        terminated.terminate();
        assertEquals(InstanceStatus.TERMINATED, terminated.status());
        terminated.sendEvent("go", Map.of());
        assertEquals(InstanceStatus.TERMINATED, terminated.status());
    }

    @Test
    void restartFromAStepKeepsTheStepsBeforeIt() {
        AtomicInteger first = new AtomicInteger();
        AtomicInteger second = new AtomicInteger();
        Workflow workflow = (event, step) -> {
            int a = step.run("first", first::incrementAndGet);
            int b = step.run("second", second::incrementAndGet);
            return a * 10 + b;
        };
        WorkflowTestDriver.Run run = WorkflowTestDriver.of(workflow).start(Map.of());
        assertEquals(11, run.output().asInt());
        run.restart("second");
        assertEquals(12, run.output().asInt());
        assertEquals(1, first.get());
        run.restart(null);
        assertEquals(23, run.output().asInt());
        assertThrows(IllegalArgumentException.class, () -> run.restart("missing"));
    }

    @Test
    void theWorkflowSeesItsEventAndConfig() {
        class Configured implements Workflow {
            long min;

            @Override
            public void open(WorkflowContext context) {
                min = context.configLong("minRows", 1);
            }

            @Override
            public Object run(WorkflowEvent event, WorkflowStep step) {
                ObjectNode out = event.payload().deepCopy();
                out.put("min", min)
                        .put("id", event.instanceId())
                        .put("trigger", event.trigger().wireName());
                return out;
            }
        }
        WorkflowTestDriver.Run run = WorkflowTestDriver.of("index", new Configured())
                .config(Map.of("minRows", 10))
                .start("abc", Map.of("k", "v"));
        assertEquals(
                "{\"k\":\"v\",\"min\":10,\"id\":\"abc\",\"trigger\":\"api\"}",
                run.output().toString());
        assertInstanceOf(JsonNode.class, run.output());
    }
}

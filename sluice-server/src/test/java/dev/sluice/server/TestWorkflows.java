package dev.sluice.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.workflows.NonRetryableException;
import dev.sluice.workflows.StepFailedException;
import dev.sluice.workflows.StepOptions;
import dev.sluice.workflows.WaitTimeoutException;
import dev.sluice.workflows.Workflow;
import dev.sluice.workflows.WorkflowContext;
import dev.sluice.workflows.WorkflowEvent;
import dev.sluice.workflows.WorkflowStep;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Workflows the integration tests run; each counts what its step bodies did, by instance, to prove replays skip them. */
public final class TestWorkflows {
    /** Body runs by {@code instance/step}. */
    static final Map<String, AtomicInteger> RUNS = new ConcurrentHashMap<>();

    private TestWorkflows() {}

    static int runs(String instance, String step) {
        AtomicInteger n = RUNS.get(instance + "/" + step);
        return n == null ? 0 : n.get();
    }

    private static void count(WorkflowEvent event, String step) {
        RUNS.computeIfAbsent(event.instanceId() + "/" + step, k -> new AtomicInteger())
                .incrementAndGet();
    }

    /** One step, a sleep of {@code params.sleepMs} (default 0), another step; outputs the params' {@code n}. */
    public static final class Sleeper implements Workflow {
        @Override
        public Object run(WorkflowEvent event, WorkflowStep step) {
            int n = step.run("first", () -> {
                count(event, "first");
                return event.payload().path("n").asInt();
            });
            step.sleep("nap", Duration.ofMillis(event.payload().path("sleepMs").asLong(0)));
            return step.run("second", () -> {
                count(event, "second");
                return n;
            });
        }
    }

    /** A step, a wait for "go", another step: for pause, resume, terminate and restart. */
    public static final class Gate implements Workflow {
        @Override
        public Object run(WorkflowEvent event, WorkflowStep step) {
            step.run("one", () -> {
                count(event, "one");
                return 1;
            });
            JsonNode go = step.waitForEvent("gate", "go", Duration.ofHours(1));
            return step.run("two", () -> {
                count(event, "two");
                return go.path("value").asText();
            });
        }
    }

    /** A step that fails {@code params.failures} times (retries 1 s apart), then succeeds. */
    public static final class Flaky implements Workflow {
        @Override
        public Object run(WorkflowEvent event, WorkflowStep step) {
            int failures = event.payload().path("failures").asInt();
            return step.run("flaky", StepOptions.DEFAULTS.delay(Duration.ofMillis(200)), () -> {
                count(event, "flaky");
                if (step.attempt() <= failures) {
                    throw new IllegalStateException("attempt " + step.attempt() + " fails");
                }
                return "ok on attempt " + step.attempt();
            });
        }
    }

    /** Starts a Sleeper as a child and returns its output plus one. */
    public static final class Parent implements Workflow {
        @Override
        public Object run(WorkflowEvent event, WorkflowStep step) {
            JsonNode child = step.runWorkflow("child", "sleeper", Map.of("n", 41, "sleepMs", 100));
            return child.asInt() + 1;
        }
    }

    /**
     * Three steps (config {@code steps}, default 3) that each append their idempotency key and the process
     * id to a ledger file (config {@code ledger}), with sleeps of 1 to 3 s between them: the crash tests
     * count the appends.
     */
    public static final class Ledger implements Workflow {
        private Path ledger;
        private int steps;

        @Override
        public void open(WorkflowContext context) {
            ledger = Path.of(context.configString("ledger", "ledger.txt"));
            steps = context.configInt("steps", 3);
        }

        @Override
        public Object run(WorkflowEvent event, WorkflowStep step) {
            int seed = Math.floorMod(event.instanceId().hashCode(), 1000);
            for (int i = 0; i < steps; i++) {
                step.run("append", () -> {
                    String key = step.idempotencyKey();
                    try {
                        Files.writeString(
                                ledger,
                                key + " " + ProcessHandle.current().pid() + "\n",
                                StandardOpenOption.CREATE,
                                StandardOpenOption.APPEND);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    return key;
                });
                if (i < steps - 1) {
                    step.sleep("pause", Duration.ofMillis(1000 + (seed * 7 + i * 613) % 2000));
                }
            }
            return steps;
        }
    }

    /**
     * Waits for an event sent before the wait (during a sleep), then for one never sent; catches the
     * timeout. Outputs what it saw.
     */
    public static final class Waiter implements Workflow {
        @Override
        public Object run(WorkflowEvent event, WorkflowStep step) {
            step.sleep(
                    "before", Duration.ofMillis(event.payload().path("sleepMs").asLong(1500)));
            JsonNode early = step.waitForEvent("early", "early", Duration.ofSeconds(30));
            try {
                step.waitForEvent("never", "never", Duration.ofMillis(500));
                return "unexpected";
            } catch (WaitTimeoutException e) {
                return early.path("v").asText() + " then timeout";
            }
        }
    }

    /** Each failure a step can meet, caught: non-retryable, timeout, result too large. */
    public static final class Failing implements Workflow {
        @Override
        public Object run(WorkflowEvent event, WorkflowStep step) {
            List<String> seen = new ArrayList<>();
            try {
                step.run("refused", () -> {
                    count(event, "refused");
                    throw new NonRetryableException("404 from the API");
                });
            } catch (StepFailedException e) {
                seen.add(e.getMessage());
            }
            try {
                step.run(
                        "slow",
                        StepOptions.DEFAULTS
                                .retries(1)
                                .delay(Duration.ofMillis(100))
                                .timeout(Duration.ofMillis(200)),
                        () -> {
                            count(event, "slow");
                            Thread.sleep(30_000); // interrupted by the step's timeout
                            return "late";
                        });
            } catch (StepFailedException e) {
                seen.add(e.getMessage());
            }
            try {
                step.run("huge", () -> "x".repeat(2 << 20));
            } catch (StepFailedException e) {
                seen.add(e.getMessage());
            }
            return seen;
        }
    }
}

package dev.sluice.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.workflows.StepOptions;
import dev.sluice.workflows.Workflow;
import dev.sluice.workflows.WorkflowEvent;
import dev.sluice.workflows.WorkflowStep;
import java.time.Duration;
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
        RUNS.computeIfAbsent(event.instanceId() + "/" + step, k -> new AtomicInteger()).incrementAndGet();
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
}

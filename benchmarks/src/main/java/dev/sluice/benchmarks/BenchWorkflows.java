package dev.sluice.benchmarks;

import dev.sluice.workflows.Workflow;
import dev.sluice.workflows.WorkflowEvent;
import dev.sluice.workflows.WorkflowStep;
import java.time.Instant;

/** The workflows benchmarks/workflows.sh runs. */
public final class BenchWorkflows {
    private BenchWorkflows() {}

    /** Three trivial steps: what the engine costs per step, with no user work to hide it. */
    public static final class ThreeSteps implements Workflow {
        @Override
        public Object run(WorkflowEvent event, WorkflowStep step) {
            int a = step.run("one", () -> 1);
            int b = step.run("two", () -> a + 1);
            return step.run("three", () -> a + b);
        }
    }

    /** Sleeps until {@code params.dueAt} (epoch millis), then one step: many instances asleep at once. */
    public static final class SleepUntil implements Workflow {
        @Override
        public Object run(WorkflowEvent event, WorkflowStep step) {
            step.sleepUntil(
                    "until due",
                    Instant.ofEpochMilli(event.payload().path("dueAt").asLong()));
            return step.run("woke", () -> System.currentTimeMillis());
        }
    }
}

package dev.sluice.workflows.engine;

import dev.sluice.workflows.InstanceStatus;
import dev.sluice.workflows.internal.InstanceState;
import dev.sluice.workflows.internal.Outcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/**
 * Per-workflow meters: instances created and ended by status, step attempts, failures and duration,
 * and create-to-complete latency. Instances by status and pending timers are gauges the engine
 * registers over its stores ({@link WorkflowEngine}).
 */
final class WorkflowMetrics {
    private final MeterRegistry registry;

    WorkflowMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void created(String workflow) {
        // "started", not "created": Prometheus reserves a counter's _created series.
        Counter.builder("sluice.workflow.instances.started").tag("workflow", workflow)
                .description("instances created").register(registry).increment();
    }

    void finished(InstanceState state, long now) {
        InstanceStatus status = state.status();
        Counter.builder("sluice.workflow.instances.finished").tag("workflow", state.workflow())
                .tag("status", status.wireName())
                .description("instances that completed, errored or were terminated").register(registry).increment();
        if (status == InstanceStatus.COMPLETE) {
            Timer.builder("sluice.workflow.instance.duration").tag("workflow", state.workflow())
                    .description("from create to complete").publishPercentileHistogram()
                    .register(registry).record(Duration.ofMillis(Math.max(0, now - state.queuedAt())));
        }
    }

    /** A step attempt's outcome, as the owning task takes it. */
    void attempt(String workflow, Outcome outcome) {
        long start;
        long end;
        boolean failed;
        if (outcome instanceof Outcome.StepSucceeded s) {
            start = s.start();
            end = s.end();
            failed = false;
        } else if (outcome instanceof Outcome.StepAttemptFailed f) {
            start = f.start();
            end = f.end();
            failed = true;
        } else {
            return;
        }
        Counter.builder("sluice.workflow.step.attempts").tag("workflow", workflow)
                .description("step attempts").register(registry).increment();
        if (failed) {
            Counter.builder("sluice.workflow.step.failures").tag("workflow", workflow)
                    .description("step attempts that failed").register(registry).increment();
        }
        Timer.builder("sluice.workflow.step.duration").tag("workflow", workflow)
                .description("how long one step attempt ran").publishPercentileHistogram()
                .register(registry).record(Duration.ofMillis(Math.max(0, end - start)));
    }
}

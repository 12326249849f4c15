package dev.sluice.workflows.engine;

import dev.sluice.workflows.InstanceStatus;
import dev.sluice.workflows.internal.InstanceState;
import dev.sluice.workflows.internal.Outcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-workflow meters: instances created and ended by status, step attempts, failures and duration,
 * and create-to-complete latency. Instances by status and pending timers are gauges the engine
 * registers over its stores ({@link WorkflowEngine}).
 */
final class WorkflowMetrics {
    private final MeterRegistry registry;
    /** Looked up once per workflow: registering through a builder on every step costs the stream thread. */
    private final Map<String, Meters> byWorkflow = new ConcurrentHashMap<>();

    private final Map<String, Counter> finishedByStatus = new ConcurrentHashMap<>();

    WorkflowMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    private record Meters(
            Counter started, Counter attempts, Counter failures, Timer stepDuration, Timer instanceDuration) {}

    private Meters meters(String workflow) {
        return byWorkflow.computeIfAbsent(
                workflow,
                w -> new Meters(
                        // "started", not "created": Prometheus reserves a counter's _created series.
                        Counter.builder("sluice.workflow.instances.started")
                                .tag("workflow", w)
                                .description("instances created")
                                .register(registry),
                        Counter.builder("sluice.workflow.step.attempts")
                                .tag("workflow", w)
                                .description("step attempts")
                                .register(registry),
                        Counter.builder("sluice.workflow.step.failures")
                                .tag("workflow", w)
                                .description("step attempts that failed")
                                .register(registry),
                        Timer.builder("sluice.workflow.step.duration")
                                .tag("workflow", w)
                                .description("how long one step attempt ran")
                                .publishPercentileHistogram()
                                .register(registry),
                        Timer.builder("sluice.workflow.instance.duration")
                                .tag("workflow", w)
                                .description("from create to complete")
                                .publishPercentileHistogram()
                                .register(registry)));
    }

    void created(String workflow) {
        meters(workflow).started().increment();
    }

    void finished(InstanceState state, long now) {
        InstanceStatus status = state.status();
        finishedByStatus
                .computeIfAbsent(
                        state.workflow() + '\u0000' + status.wireName(),
                        k -> Counter.builder("sluice.workflow.instances.finished")
                                .tag("workflow", state.workflow())
                                .tag("status", status.wireName())
                                .description("instances that completed, errored or were terminated")
                                .register(registry))
                .increment();
        if (status == InstanceStatus.COMPLETE) {
            meters(state.workflow()).instanceDuration().record(Duration.ofMillis(Math.max(0, now - state.queuedAt())));
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
        Meters meters = meters(workflow);
        meters.attempts().increment();
        if (failed) {
            meters.failures().increment();
        }
        meters.stepDuration().record(Duration.ofMillis(Math.max(0, end - start)));
    }
}

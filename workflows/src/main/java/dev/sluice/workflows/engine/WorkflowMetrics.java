package dev.sluice.workflows.engine;

import dev.sluice.workflows.InstanceStatus;
import dev.sluice.workflows.internal.InstanceState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Locale;

/** Per-workflow meters: instances created and ended by status, and create-to-end latency. */
final class WorkflowMetrics {
    private final MeterRegistry registry;

    WorkflowMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void created(String workflow) {
        Counter.builder("sluice.workflow.instances.created").tag("workflow", workflow)
                .description("instances created").register(registry).increment();
    }

    void finished(InstanceState state, long now) {
        InstanceStatus status = state.status();
        Counter.builder("sluice.workflow.instances.finished").tag("workflow", state.workflow())
                .tag("status", status.wireName().toLowerCase(Locale.ROOT))
                .description("instances that completed, errored or were terminated").register(registry).increment();
        if (status == InstanceStatus.COMPLETE) {
            Timer.builder("sluice.workflow.instance.duration").tag("workflow", state.workflow())
                    .description("from create to complete").publishPercentileHistogram()
                    .register(registry).record(Duration.ofMillis(Math.max(0, now - state.queuedAt())));
        }
    }
}

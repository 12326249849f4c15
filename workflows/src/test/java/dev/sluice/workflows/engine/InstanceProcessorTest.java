package dev.sluice.workflows.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.sluice.config.WorkflowConfig;
import dev.sluice.workflows.StepOptions;
import dev.sluice.workflows.Trigger;
import dev.sluice.workflows.internal.Outcome;
import dev.sluice.workflows.internal.StepValue;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a task does with the executions that were in flight when it last ran: it asks with RECOVER, which lands
 * behind any outcome those executions recorded, and runs an instance again only if no outcome came first.
 */
class InstanceProcessorTest {
    private static final String KEY = WorkflowTopics.key("orders", "o-1");

    private final List<StateStore> stores = List.of(
            Stores.keyValueStoreBuilder(
                            Stores.inMemoryKeyValueStore(WorkflowTopics.INSTANCES), Serdes.String(), Serdes.ByteArray())
                    .withLoggingDisabled()
                    .build(),
            Stores.keyValueStoreBuilder(
                            Stores.inMemoryKeyValueStore(WorkflowTopics.RESULTS), Serdes.String(), Serdes.ByteArray())
                    .withLoggingDisabled()
                    .build(),
            Stores.keyValueStoreBuilder(
                            Stores.inMemoryKeyValueStore(WorkflowTopics.TIMERS), Serdes.Bytes(), Serdes.ByteArray())
                    .withLoggingDisabled()
                    .build());
    private final List<Executions.Task> submitted = new ArrayList<>();
    private final Executions executions = new Executions() {
        @Override
        public void submit(Task task) {
            submitted.add(task);
        }

        @Override
        public void stopAtBoundary(String token) {}

        @Override
        public void cancel(String token) {}
    };
    private String token;

    /** The first life of the task: the instance is created and its first execution dispatched, then lost. */
    @BeforeEach
    void anExecutionInFlight() {
        Lifetime first = start();
        first.processor.process(command(Command.create("orders", "o-1", null, Trigger.API, null)));
        assertEquals(1, submitted.size());
        token = submitted.get(0).token();
        assertNotNull(token);
        submitted.clear();
    }

    @Test
    void aRestartedTaskRunsNothingAtOnceAndAsksWithRecover() {
        Lifetime second = start();
        assertEquals(List.of(), submitted, "nothing runs before the task has read what is behind it");
        second.tick();
        assertEquals(List.of(Command.recover(token)), second.forwardedCommands());
        assertEquals(List.of(), submitted);
    }

    @Test
    void anExecutionWhoseOutcomeWasRecordedDoesNotRunAgain() {
        Lifetime second = start();
        second.tick();
        long now = System.currentTimeMillis();
        // The lost execution had recorded a step: the instance goes on to its next execution, under a new token.
        second.processor.process(command(Command.outcomes(
                token,
                List.of(new Outcome.StepSucceeded(
                        "charge", "charge", StepOptions.DEFAULTS, 1, now, now, StepValue.NULL)))));
        assertEquals(1, submitted.size());
        String next = submitted.get(0).token();
        second.processor.process(command(Command.recover(token)));
        assertEquals(
                List.of(next), submitted.stream().map(Executions.Task::token).toList());
        assertNotEquals(token, next);
    }

    @Test
    void anExecutionThatRecordedNothingRunsAgainOnce() {
        Lifetime second = start();
        second.tick();
        second.processor.process(command(Command.recover(token)));
        second.processor.process(command(Command.recover(token)));
        assertEquals(1, submitted.size(), "one run for the lost execution: " + submitted);
        assertEquals(token, submitted.get(0).token());
    }

    /** A new processor on the stores as the last one left them, as after a restore. */
    private Lifetime start() {
        return new Lifetime(new MockProcessorContext<>());
    }

    private static Record<String, byte[]> command(Command command) {
        return new Record<>(KEY, command.toBytes(), System.currentTimeMillis());
    }

    private final class Lifetime {
        final MockProcessorContext<String, byte[]> context;
        final InstanceProcessor processor;

        Lifetime(MockProcessorContext<String, byte[]> context) {
            this.context = context;
            for (StateStore store : stores) {
                if (!store.isOpen()) {
                    store.init(context.getStateStoreContext(), store);
                }
                context.addStateStore(store);
            }
            processor = new InstanceProcessor(
                    Map.of("orders", new WorkflowConfig("orders", "example.Orders")),
                    executions,
                    new WorkflowMetrics(new SimpleMeterRegistry()),
                    (key, state) -> {},
                    new HashSet<>(),
                    new StatusCounts());
            processor.init(context);
        }

        void tick() {
            context.scheduledPunctuators().forEach(p -> p.getPunctuator().punctuate(System.currentTimeMillis()));
        }

        List<Command> forwardedCommands() {
            return context.forwarded().stream()
                    .map(f -> Command.fromBytes(f.record().value()))
                    .toList();
        }
    }
}

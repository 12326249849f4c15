package dev.sluice.workflows.engine;

import dev.sluice.config.WorkflowConfig;
import dev.sluice.wire.Topics;
import dev.sluice.workflows.internal.InstanceState;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.state.Stores;

/**
 * The engine's Kafka Streams topology: object notifications become create commands; the commands
 * topic feeds the instance processor, which owns the instance, result and timer stores of its partition and writes child creates and child results back to the commands topic.
 */
final class WorkflowTopology {
    private WorkflowTopology() {}

    static Topology build(
            List<WorkflowConfig> workflows,
            Executions executions,
            WorkflowMetrics metrics,
            BiConsumer<String, InstanceState> created,
            Set<TaskId> readyTasks,
            StatusCounts statusCounts) {
        Map<String, WorkflowConfig> byName =
                workflows.stream().collect(Collectors.toMap(WorkflowConfig::name, Function.identity()));
        Map<String, String> changelog = Map.of("max.message.bytes", Integer.toString(WorkflowTopics.MAX_MESSAGE_BYTES));
        Topology topology = new Topology();
        if (workflows.stream().anyMatch(w -> w.trigger().notifications() != null)) {
            topology.addSource(
                    "notifications",
                    Serdes.String().deserializer(),
                    Serdes.ByteArray().deserializer(),
                    Topics.NOTIFICATIONS);
            topology.addProcessor(
                    "notification-trigger", () -> new NotificationTrigger(workflows, readyTasks), "notifications");
            topology.addSink(
                    "creates",
                    Topics.WORKFLOW_COMMANDS,
                    Serdes.String().serializer(),
                    Serdes.ByteArray().serializer(),
                    "notification-trigger");
        }
        topology.addSource(
                "commands",
                Serdes.String().deserializer(),
                Serdes.ByteArray().deserializer(),
                Topics.WORKFLOW_COMMANDS);
        topology.addProcessor(
                "instances",
                () -> new InstanceProcessor(byName, executions, metrics, created, readyTasks, statusCounts),
                "commands");
        topology.addStateStore(
                Stores.keyValueStoreBuilder(
                                Stores.persistentKeyValueStore(WorkflowTopics.INSTANCES),
                                Serdes.String(),
                                Serdes.ByteArray())
                        .withLoggingEnabled(changelog)
                        .withCachingDisabled(),
                "instances");
        topology.addStateStore(
                Stores.keyValueStoreBuilder(
                                Stores.persistentKeyValueStore(WorkflowTopics.RESULTS),
                                Serdes.String(),
                                Serdes.ByteArray())
                        .withLoggingEnabled(changelog)
                        .withCachingDisabled(),
                "instances");
        topology.addStateStore(
                Stores.keyValueStoreBuilder(
                                Stores.persistentKeyValueStore(WorkflowTopics.TIMERS),
                                Serdes.Bytes(),
                                Serdes.ByteArray())
                        .withLoggingEnabled(Map.of())
                        .withCachingDisabled(),
                "instances");
        topology.addSink(
                "commands-out",
                Topics.WORKFLOW_COMMANDS,
                Serdes.String().serializer(),
                Serdes.ByteArray().serializer(),
                "instances");
        return topology;
    }
}

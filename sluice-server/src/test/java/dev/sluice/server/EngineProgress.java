package dev.sluice.server;

import static org.awaitility.Awaitility.await;

import dev.sluice.wire.ClientIds;
import dev.sluice.wire.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Waits until the workflows engine has taken every notification and every command written so far:
 * its consumer group's committed offsets (exactly_once_v2: committed with the state they produced)
 * reach the topics' ends. Tests use it to check that something did NOT happen.
 */
final class EngineProgress {
    private EngineProgress() {}

    static void awaitCaughtUp(DevStack stack, Duration deadline) {
        try (Admin admin = Admin.create(stack.config().kafka().clientProperties())) {
            // Notifications first: the creates they turn into are written to the commands topic in the same
            // transaction.
            awaitTopic(admin, Topics.NOTIFICATIONS, deadline);
            awaitTopic(admin, Topics.WORKFLOW_COMMANDS, deadline);
        }
    }

    private static void awaitTopic(Admin admin, String topic, Duration deadline) {
        Map<TopicPartition, Long> ends = ends(admin, topic);
        await().atMost(deadline).until(() -> {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(
                            ClientIds.WORKFLOWS_APPLICATION)
                    .partitionsToOffsetAndMetadata()
                    .get(10, TimeUnit.SECONDS);
            return ends.entrySet().stream()
                    .allMatch(end -> end.getValue() == 0
                            || (committed.get(end.getKey()) != null
                                    && committed.get(end.getKey()).offset() >= end.getValue()));
        });
    }

    private static Map<TopicPartition, Long> ends(Admin admin, String topic) {
        try {
            int partitions = admin.describeTopics(List.of(topic))
                    .allTopicNames()
                    .get(10, TimeUnit.SECONDS)
                    .get(topic)
                    .partitions()
                    .size();
            Map<TopicPartition, OffsetSpec> request = new java.util.HashMap<>();
            for (int p = 0; p < partitions; p++) {
                request.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> result =
                    admin.listOffsets(request).all().get(10, TimeUnit.SECONDS);
            Map<TopicPartition, Long> out = new java.util.HashMap<>();
            result.forEach((tp, info) -> out.put(tp, info.offset()));
            return out;
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the end offsets of " + topic, e);
        }
    }
}

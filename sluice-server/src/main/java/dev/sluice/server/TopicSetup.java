package dev.sluice.server;

import dev.sluice.config.PipelineConfig;
import dev.sluice.config.TableConfig;
import dev.sluice.wire.Topics;
import dev.sluice.workflows.engine.WorkflowTopics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates each pipeline's topics before any role starts: {@code {pipeline}} (ingest),
 * {@code {pipeline}.out} (processor output), {@code {pipeline}.dlq}, {@code {pipeline}.sink-state}
 * (the sink's batch manifests, compacted), the shared {@code sluice.notifications}, a compacted
 * {@code sluice.table.{name}} per lookup table, and the workflows' commands topic when workflows are declared
 * (Kafka Streams creates the engine's changelogs itself).
 * Existing topics are kept as they are.
 */
final class TopicSetup {
    private static final Logger log = LoggerFactory.getLogger(TopicSetup.class);

    /** Notifications are keyed by object key; a few partitions let several consumers share them. */
    private static final int NOTIFICATION_PARTITIONS = 4;

    private TopicSetup() {}

    static void ensureTopics(Admin admin, List<PipelineConfig> pipelines, List<TableConfig> tables, boolean workflows) {
        try {
            Set<String> existing = admin.listTopics().names().get(60, TimeUnit.SECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (PipelineConfig p : pipelines) {
                List<String> names = List.of(p.topic(), p.outputTopic(), p.dlqTopic());
                for (String name : names) {
                    if (!existing.contains(name)) {
                        missing.add(new NewTopic(name, Optional.of(p.partitions()), Optional.empty()));
                    }
                }
                if (!existing.contains(Topics.sinkState(p.name()))) {
                    missing.add(new NewTopic(Topics.sinkState(p.name()), Optional.of(p.partitions()), Optional.empty())
                            .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));
                }
            }
            for (TableConfig table : tables) {
                if (!existing.contains(table.topic())) {
                    missing.add(new NewTopic(table.topic(), Optional.of(table.partitions()), Optional.empty())
                            .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));
                }
            }
            if (workflows && !existing.contains(Topics.WORKFLOW_COMMANDS)) {
                missing.add(new NewTopic(
                                Topics.WORKFLOW_COMMANDS,
                                Optional.of(WorkflowTopics.COMMAND_PARTITIONS),
                                Optional.empty())
                        .configs(Map.of(
                                TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
                                Integer.toString(WorkflowTopics.MAX_MESSAGE_BYTES))));
            }
            if (!existing.contains(Topics.NOTIFICATIONS)) {
                missing.add(new NewTopic(Topics.NOTIFICATIONS, Optional.of(NOTIFICATION_PARTITIONS), Optional.empty()));
            }
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get(60, TimeUnit.SECONDS);
                log.info(
                        "created topics {}",
                        missing.stream().map(NewTopic::name).toList());
            }
            warnOnPartitionMismatch(admin, pipelines);
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    "cannot create the pipelines' Kafka topics: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka did not answer within 60 s while creating topics", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        }
    }

    /**
     * A topic the controller just created reaches the broker's metadata a moment later; until then
     * describing it fails with UNKNOWN_TOPIC_OR_PARTITION. Start-up waits for it rather than fail.
     */
    private static Map<String, TopicDescription> describeWhenVisible(Admin admin, List<String> topics)
            throws ExecutionException, InterruptedException, TimeoutException {
        long deadline = System.currentTimeMillis() + 60_000;
        while (true) {
            try {
                return admin.describeTopics(topics).allTopicNames().get(60, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)
                        || System.currentTimeMillis() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    private static void warnOnPartitionMismatch(Admin admin, List<PipelineConfig> pipelines)
            throws ExecutionException, InterruptedException, TimeoutException {
        List<String> topics = new ArrayList<>();
        for (PipelineConfig p : pipelines) {
            topics.addAll(List.of(p.topic(), p.outputTopic(), Topics.sinkState(p.name())));
        }
        Map<String, TopicDescription> described = describeWhenVisible(admin, topics);
        for (PipelineConfig p : pipelines) {
            int actual = described.get(p.topic()).partitions().size();
            if (actual != p.partitions()) {
                log.warn(
                        "pipeline {}: topic {} has {} partitions, sluice.yaml says {}; Sluice does not repartition existing topics",
                        p.name(),
                        p.topic(),
                        actual,
                        p.partitions());
            }
            // The sink writes a batch's manifest to the state partition numbered like its source partition.
            int out = described.get(p.outputTopic()).partitions().size();
            int state = described.get(Topics.sinkState(p.name())).partitions().size();
            if (state < out) {
                throw new IllegalStateException("topic " + Topics.sinkState(p.name()) + " has " + state
                        + " partitions but " + p.outputTopic() + " has " + out + "; add partitions to the state topic");
            }
        }
    }
}

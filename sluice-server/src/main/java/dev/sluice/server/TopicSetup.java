package dev.sluice.server;

import dev.sluice.config.PipelineConfig;
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
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates each pipeline's topics before any role starts: {@code {pipeline}} (ingest),
 * {@code {pipeline}.out} (processor output) and {@code {pipeline}.dlq}.
 * Existing topics are kept as they are.
 */
final class TopicSetup {
    private static final Logger log = LoggerFactory.getLogger(TopicSetup.class);

    private TopicSetup() {}

    static void ensureTopics(Admin admin, List<PipelineConfig> pipelines) {
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
            }
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get(60, TimeUnit.SECONDS);
                log.info("created topics {}", missing.stream().map(NewTopic::name).toList());
            }
            warnOnPartitionMismatch(admin, pipelines);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot create the pipelines' Kafka topics: " + e.getCause().getMessage(), e.getCause());
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
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.currentTimeMillis() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    private static void warnOnPartitionMismatch(Admin admin, List<PipelineConfig> pipelines)
            throws ExecutionException, InterruptedException, TimeoutException {
        Map<String, TopicDescription> described = describeWhenVisible(admin, pipelines.stream().map(PipelineConfig::topic).toList());
        for (PipelineConfig p : pipelines) {
            int actual = described.get(p.topic()).partitions().size();
            if (actual != p.partitions()) {
                log.warn("pipeline {}: topic {} has {} partitions, sluice.yaml says {}; Sluice does not repartition existing topics",
                        p.name(), p.topic(), actual, p.partitions());
            }
        }
    }
}

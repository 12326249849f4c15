package dev.sluice.server;

import dev.sluice.config.KafkaConfig;
import dev.sluice.config.PipelineConfig;
import dev.sluice.config.TableConfig;
import dev.sluice.wire.Topics;
import dev.sluice.workflows.engine.WorkflowTopics;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates Sluice's topics before any role starts: per pipeline {@code {pipeline}} (ingest),
 * {@code {pipeline}.out} (processor output), {@code {pipeline}.dlq} and {@code {pipeline}.sink-state} (the
 * sink's batch manifests, compacted); the shared {@code sluice.notifications}; a compacted
 * {@code sluice.table.{name}} per lookup table; and the workflows' commands topic when workflows are
 * declared (Kafka Streams creates the engine's changelogs itself).
 *
 * <p>Every process of a fleet runs this at once, as compose or Kubernetes start them: a topic another
 * process created a moment earlier is fine when its shape is right, and a shape Sluice cannot work with
 * (a state topic that is not compacted or has fewer partitions than the output) is an error naming the
 * topic. Topics get {@link #replicationFactor} replicas, never silently one on a cluster of several brokers.
 */
final class TopicSetup {
    private static final Logger log = LoggerFactory.getLogger(TopicSetup.class);
    private static final long TIMEOUT_SECONDS = 60;

    /** Notifications are keyed by object key; a few partitions let several consumers share them. */
    private static final int NOTIFICATION_PARTITIONS = 4;
    /** Replicas of Sluice's topics unless {@code kafka.replicationFactor} says otherwise (capped by the brokers). */
    private static final int DEFAULT_REPLICATION = 3;

    private TopicSetup() {}

    /** What a topic must look like. */
    private record Wanted(String name, int partitions, boolean compacted, Map<String, String> configs) {
        NewTopic toNewTopic(short replicas) {
            Map<String, String> all = new HashMap<>(configs);
            if (compacted) {
                all.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
            }
            if (replicas >= 3) {
                // With acks=all, an acknowledged record is then on two brokers at least.
                all.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, "2");
            }
            return new NewTopic(name, Optional.of(partitions), Optional.of(replicas)).configs(all);
        }
    }

    static void ensureTopics(
            Admin admin,
            KafkaConfig kafka,
            List<PipelineConfig> pipelines,
            List<TableConfig> tables,
            boolean workflows) {
        try {
            short replicas = replicationFactor(admin, kafka);
            List<Wanted> wanted = wanted(pipelines, tables, workflows);
            create(admin, wanted, replicas);
            List<String> names = wanted.stream().map(Wanted::name).toList();
            Map<String, TopicDescription> described = describeWhenVisible(admin, names);
            Map<String, Config> configs = admin
                    .describeConfigs(names.stream()
                            .map(n -> new ConfigResource(ConfigResource.Type.TOPIC, n))
                            .toList())
                    .all()
                    .get(TIMEOUT_SECONDS, TimeUnit.SECONDS)
                    .entrySet()
                    .stream()
                    .collect(HashMap::new, (m, e) -> m.put(e.getKey().name(), e.getValue()), HashMap::putAll);
            check(wanted, described, configs, pipelines, replicas);
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    "cannot create the pipelines' Kafka topics: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException(
                    "Kafka did not answer within " + TIMEOUT_SECONDS + " s while creating topics", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        }
    }

    /** {@code kafka.replicationFactor}, else 3, or the cluster's broker count when it has fewer. */
    static short replicationFactor(Admin admin, KafkaConfig kafka)
            throws ExecutionException, InterruptedException, TimeoutException {
        int brokers = admin.describeCluster()
                .nodes()
                .get(TIMEOUT_SECONDS, TimeUnit.SECONDS)
                .size();
        if (kafka.replicationFactor() != null) {
            if (kafka.replicationFactor() > brokers) {
                throw new IllegalStateException("kafka.replicationFactor is " + kafka.replicationFactor()
                        + " but the cluster has " + brokers + (brokers == 1 ? " broker" : " brokers"));
            }
            return kafka.replicationFactor().shortValue();
        }
        return (short) Math.min(DEFAULT_REPLICATION, Math.max(1, brokers));
    }

    private static List<Wanted> wanted(List<PipelineConfig> pipelines, List<TableConfig> tables, boolean workflows) {
        List<Wanted> wanted = new ArrayList<>();
        for (PipelineConfig p : pipelines) {
            for (String name : List.of(p.topic(), p.outputTopic(), p.dlqTopic())) {
                wanted.add(new Wanted(name, p.partitions(), false, Map.of()));
            }
            wanted.add(new Wanted(Topics.sinkState(p.name()), p.partitions(), true, Map.of()));
            // Read whole by every replay: one partition, in one place.
            wanted.add(new Wanted(Topics.deadLettersReplayed(p.name()), 1, true, Map.of()));
            wanted.add(new Wanted(Topics.backfilled(p.name()), 1, true, Map.of()));
        }
        for (TableConfig table : tables) {
            wanted.add(new Wanted(table.topic(), table.partitions(), true, Map.of()));
        }
        if (workflows) {
            wanted.add(new Wanted(
                    Topics.WORKFLOW_COMMANDS,
                    WorkflowTopics.COMMAND_PARTITIONS,
                    false,
                    Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(WorkflowTopics.MAX_MESSAGE_BYTES))));
        }
        wanted.add(new Wanted(Topics.NOTIFICATIONS, NOTIFICATION_PARTITIONS, false, Map.of()));
        return wanted;
    }

    /** Creates what is missing; a topic that another process created in the meantime is not an error. */
    private static void create(Admin admin, List<Wanted> wanted, short replicas)
            throws ExecutionException, InterruptedException, TimeoutException {
        Set<String> existing = admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        List<NewTopic> missing = wanted.stream()
                .filter(w -> !existing.contains(w.name()))
                .map(w -> w.toNewTopic(replicas))
                .toList();
        if (missing.isEmpty()) {
            return;
        }
        List<String> created = new ArrayList<>();
        for (Map.Entry<String, KafkaFuture<Void>> result :
                admin.createTopics(missing).values().entrySet()) {
            try {
                result.getValue().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                created.add(result.getKey());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
        }
        if (!created.isEmpty()) {
            log.info("created topics {} with {} {}", created, replicas, replicas == 1 ? "replica" : "replicas");
        }
    }

    /**
     * A topic the controller just created reaches the broker's metadata a moment later; until then
     * describing it fails with UNKNOWN_TOPIC_OR_PARTITION. Start-up waits for it rather than fail.
     */
    private static Map<String, TopicDescription> describeWhenVisible(Admin admin, List<String> topics)
            throws ExecutionException, InterruptedException, TimeoutException {
        long deadline = System.currentTimeMillis() + TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS);
        while (true) {
            try {
                return admin.describeTopics(topics).allTopicNames().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)
                        || System.currentTimeMillis() > deadline) {
                    throw e;
                }
                Thread.sleep(100); // metadata propagation has no notification to wait on
            }
        }
    }

    /** Errors for shapes Sluice cannot work with; warnings for shapes it works with less well. */
    private static void check(
            List<Wanted> wanted,
            Map<String, TopicDescription> described,
            Map<String, Config> configs,
            List<PipelineConfig> pipelines,
            short replicas) {
        for (Wanted w : wanted) {
            TopicDescription d = described.get(w.name());
            Config config = configs.get(w.name());
            if (w.compacted() && !cleanupPolicy(config).contains(TopicConfig.CLEANUP_POLICY_COMPACT)) {
                throw new IllegalStateException("topic " + w.name() + " exists with cleanup.policy="
                        + cleanupPolicy(config) + "; Sluice keeps its latest record per key there and needs "
                        + "cleanup.policy=compact (kafka-configs --alter --add-config cleanup.policy=compact)");
            }
            String maxBytes = w.configs().get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
            if (maxBytes != null
                    && config.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG) != null
                    && Long.parseLong(config.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG)
                                    .value())
                            < Long.parseLong(maxBytes)) {
                throw new IllegalStateException("topic " + w.name() + " exists with max.message.bytes="
                        + config.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG).value() + "; Sluice needs at least "
                        + maxBytes);
            }
            int replicasNow = d.partitions().get(0).replicas().size();
            if (replicasNow < replicas) {
                log.warn(
                        "topic {} has {} {} where Sluice creates {}: an acknowledged record is lost with its broker;"
                                + " reassign its partitions (kafka-reassign-partitions) to add replicas",
                        w.name(),
                        replicasNow,
                        replicasNow == 1 ? "replica" : "replicas",
                        replicas);
            }
        }
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

    private static String cleanupPolicy(Config config) {
        return config.get(TopicConfig.CLEANUP_POLICY_CONFIG) == null
                ? TopicConfig.CLEANUP_POLICY_DELETE
                : config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value();
    }
}

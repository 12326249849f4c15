package dev.sluice.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.config.KafkaConfig;
import dev.sluice.config.SluiceConfig;
import dev.sluice.wire.Topics;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Topic set-up as a fleet runs it: from many processes at once, against topics that may already exist.
 * Replication on a three-broker cluster: ClusterTest.
 */
class TopicSetupTest {
    @TempDir
    static Path dir;

    private static EmbeddedKafka broker;
    private static KafkaConfig kafka;

    @BeforeAll
    static void startBroker() {
        int[] ports = TestStack.freePorts(2);
        broker = EmbeddedKafka.start(dir, DevOptions.HOST, ports[0], ports[1]);
        kafka = new KafkaConfig(broker.bootstrapServers());
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    private static Admin admin() {
        return Admin.create(kafka.clientProperties());
    }

    private static SluiceConfig config(String yaml) {
        return TestStack.config(yaml);
    }

    @Test
    void sixProcessesSettingUpTheSameTopicsAtOnceAllSucceed() throws Exception {
        SluiceConfig config = config("""
                pipelines:
                  - { name: fleet, partitions: 3 }
                tables:
                  - { name: fleetusers, partitions: 2 }
                """);
        ExecutorService processes = Executors.newFixedThreadPool(6);
        try {
            List<Future<Void>> done = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                Callable<Void> setUp = () -> {
                    try (Admin admin = admin()) {
                        TopicSetup.ensureTopics(admin, kafka, config.pipelines(), config.tables(), true);
                    }
                    return null;
                };
                done.add(processes.submit(setUp));
            }
            for (Future<Void> f : done) {
                f.get(); // rethrows what any of them threw
            }
        } finally {
            processes.shutdownNow();
        }

        try (Admin admin = admin()) {
            Map<String, TopicDescription> topics = admin.describeTopics(List.of(
                            "fleet",
                            Topics.output("fleet"),
                            Topics.deadLetters("fleet"),
                            Topics.sinkState("fleet"),
                            Topics.table("fleetusers"),
                            Topics.WORKFLOW_COMMANDS,
                            Topics.NOTIFICATIONS))
                    .allTopicNames()
                    .get();
            assertEquals(3, topics.get(Topics.output("fleet")).partitions().size());
            assertEquals(2, topics.get(Topics.table("fleetusers")).partitions().size());
            assertEquals(1, topics.get("fleet").partitions().get(0).replicas().size(), "one broker: one replica");
            String policy = admin.describeConfigs(
                            List.of(new ConfigResource(ConfigResource.Type.TOPIC, Topics.sinkState("fleet"))))
                    .all()
                    .get()
                    .values()
                    .iterator()
                    .next()
                    .get(TopicConfig.CLEANUP_POLICY_CONFIG)
                    .value();
            assertEquals(TopicConfig.CLEANUP_POLICY_COMPACT, policy);
        }
    }

    @Test
    void aStateTopicThatIsNotCompactedIsRefusedNamingIt() throws Exception {
        SluiceConfig config = config("pipelines: [{ name: shaped }]");
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(Topics.sinkState("shaped"), Optional.of(1), Optional.empty())))
                    .all()
                    .get();

            IllegalStateException e = assertThrows(
                    IllegalStateException.class,
                    () -> TopicSetup.ensureTopics(admin, kafka, config.pipelines(), config.tables(), false));

            assertTrue(
                    e.getMessage().contains("topic shaped.sink-state exists with cleanup.policy=delete")
                            && e.getMessage().contains("needs cleanup.policy=compact"),
                    e.getMessage());
        }
    }

    @Test
    void aReplicationFactorBeyondTheClusterIsRefusedNamingTheKey() {
        KafkaConfig three = new KafkaConfig(kafka.bootstrapServers(), Map.of(), 3);
        try (Admin admin = admin()) {
            IllegalStateException e =
                    assertThrows(IllegalStateException.class, () -> TopicSetup.replicationFactor(admin, three));
            assertEquals("kafka.replicationFactor is 3 but the cluster has 1 broker", e.getMessage());
        }
    }
}

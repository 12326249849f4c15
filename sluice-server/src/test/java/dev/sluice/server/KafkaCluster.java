package dev.sluice.server;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * A Kafka cluster of child JVMs on 127.0.0.1, the production shape: every node a broker and a KRaft
 * controller, replication factor 3 and {@code min.insync.replicas} 2 for everything, internal topics
 * included. A node can be killed with kill -9 and started again on its data.
 */
final class KafkaCluster implements AutoCloseable {
    private static final Duration DEADLINE = Duration.ofMinutes(2);

    private final List<ChildProcess> nodes;
    private final String bootstrapServers;

    private KafkaCluster(List<ChildProcess> nodes, String bootstrapServers) {
        this.nodes = nodes;
        this.bootstrapServers = bootstrapServers;
    }

    static KafkaCluster start(Path dir, int size) {
        int[] ports = TestStack.freePorts(2 * size);
        String voters = IntStream.range(0, size)
                .mapToObj(i -> (i + 1) + "@" + DevOptions.HOST + ":" + ports[size + i])
                .collect(Collectors.joining(","));
        String clusterId = Uuid.randomUuid().toString();
        List<ChildProcess> nodes = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            Path config = dir.resolve("broker-" + (i + 1) + ".properties");
            write(config, properties(i + 1, ports[i], ports[size + i], voters, dir.resolve("broker-" + (i + 1))));
            nodes.add(ChildProcess.main(
                    "broker-" + (i + 1), ClusterBroker.class, List.of(config.toString(), clusterId), dir));
        }
        String bootstrap = IntStream.range(0, size)
                .mapToObj(i -> DevOptions.HOST + ":" + ports[i])
                .collect(Collectors.joining(","));
        KafkaCluster cluster = new KafkaCluster(nodes, bootstrap);
        nodes.forEach(n -> n.start("-Xmx384m"));
        cluster.awaitBrokers(size);
        return cluster;
    }

    private static Properties properties(int id, int port, int controllerPort, String voters, Path dataDir) {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(id));
        p.put("controller.quorum.voters", voters);
        p.put("controller.listener.names", "CONTROLLER");
        p.put(
                "listeners",
                "PLAINTEXT://" + DevOptions.HOST + ":" + port + ",CONTROLLER://" + DevOptions.HOST + ":"
                        + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://" + DevOptions.HOST + ":" + port);
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", dataDir.resolve("data").toAbsolutePath().toString());
        p.put("default.replication.factor", "3");
        p.put("min.insync.replicas", "2");
        p.put("offsets.topic.replication.factor", "3");
        p.put("offsets.topic.num.partitions", "4");
        p.put("transaction.state.log.replication.factor", "3");
        p.put("transaction.state.log.min.isr", "2");
        p.put("transaction.state.log.num.partitions", "4");
        p.put("share.coordinator.state.topic.replication.factor", "3");
        p.put("share.coordinator.state.topic.min.isr", "2");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("transaction.abort.timed.out.transaction.cleanup.interval.ms", "1000");
        p.put("add.partitions.to.txn.retry.backoff.ms", "1"); // as compose.yaml's brokers
        p.put("auto.create.topics.enable", "false");
        p.put("log.cleaner.dedupe.buffer.size", "8388608");
        return p;
    }

    private static void write(Path file, Properties props) {
        try (Writer out = Files.newBufferedWriter(file)) {
            props.store(out, "a test cluster node");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String bootstrapServers() {
        return bootstrapServers;
    }

    Admin admin() {
        return Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                5_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                10_000));
    }

    /** kill -9 of node {@code id} (1-based). */
    void kill(int id) throws InterruptedException {
        nodes.get(id - 1).kill();
    }

    /** Starts node {@code id} again on its data and waits until the cluster counts it among its brokers. */
    void restart(int id) {
        nodes.get(id - 1).start("-Xmx384m");
        awaitBrokers((int) nodes.stream().filter(ChildProcess::isAlive).count());
    }

    private void awaitBrokers(int count) {
        try (Admin admin = admin()) {
            await().atMost(DEADLINE).pollInterval(Duration.ofMillis(500)).until(() -> {
                try {
                    return admin.describeCluster()
                                    .nodes()
                                    .get(5, TimeUnit.SECONDS)
                                    .size()
                            == count;
                } catch (ExecutionException | TimeoutException e) {
                    return false; // no controller or broker answers yet
                }
            });
        }
    }

    @Override
    public void close() throws InterruptedException {
        for (ChildProcess node : nodes) {
            node.close();
        }
    }
}

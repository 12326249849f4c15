package dev.sluice.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/**
 * A real single-node Kafka broker (KRaft, combined broker + controller) inside this JVM, for
 * {@code sluice dev}. Its log lives in {@code <dir>/data}; the storage is formatted on first start
 * only, so a restart on the same directory resumes with every topic and offset intact. It ends the
 * transactions a kill -9 of this process can leave hanging ({@link HangingTransactions}) before
 * {@link #start} returns.
 */
final class EmbeddedKafka implements AutoCloseable {

    private final KafkaRaftServer server;
    private final String bootstrapServers;
    private final HangingTransactions hangingTransactions;

    private EmbeddedKafka(KafkaRaftServer server, String bootstrapServers, HangingTransactions hangingTransactions) {
        this.server = server;
        this.bootstrapServers = bootstrapServers;
        this.hangingTransactions = hangingTransactions;
    }

    static EmbeddedKafka start(Path dir, String host, int port, int controllerPort) {
        return start(dir, host, port, controllerPort, 0);
    }

    /**
     * With {@code saslPort > 0}, also opens a SASL_PLAINTEXT listener that requires SCRAM-SHA-512
     * credentials: the shape a production broker exposed beyond localhost should have (see README).
     */
    static EmbeddedKafka start(Path dir, String host, int port, int controllerPort, int saslPort) {
        Path logDir = dir.resolve("data");
        Properties props = brokerProperties(logDir, host, port, controllerPort);
        if (saslPort > 0) {
            props.put("listeners", props.get("listeners") + ",SASL_PLAINTEXT://" + host + ":" + saslPort);
            props.put(
                    "advertised.listeners",
                    props.get("advertised.listeners") + ",SASL_PLAINTEXT://" + host + ":" + saslPort);
            props.put(
                    "listener.security.protocol.map",
                    props.get("listener.security.protocol.map") + ",SASL_PLAINTEXT:SASL_PLAINTEXT");
            props.put("sasl.enabled.mechanisms", "SCRAM-SHA-512");
            props.put(
                    "listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config",
                    "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        }
        try {
            Files.createDirectories(logDir);
            Path configFile = dir.resolve("server.properties");
            try (Writer out = Files.newBufferedWriter(configFile)) {
                props.store(out, "Written by sluice dev at every start; edits are overwritten.");
            }
            if (!Files.exists(logDir.resolve("meta.properties"))) {
                format(configFile);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the Kafka data directory " + dir, e);
        }
        // Read before the broker starts: once it runs, its coordinators' state no longer says these outcomes.
        Map<Long, InDoubtTransactions.InDoubt> inDoubt = InDoubtTransactions.read(logDir);
        KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(props, false), Time.SYSTEM);
        server.startup();
        try {
            return new EmbeddedKafka(server, host + ":" + port, HangingTransactions.watch(host, port, inDoubt));
        } catch (RuntimeException e) {
            server.shutdown();
            server.awaitShutdown();
            throw e;
        }
    }

    private static Properties brokerProperties(Path logDir, String host, int port, int controllerPort) {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@" + host + ":" + controllerPort);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("listeners", "PLAINTEXT://" + host + ":" + port + ",CONTROLLER://" + host + ":" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://" + host + ":" + port);
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", logDir.toAbsolutePath().toString());
        // One node: every internal topic has one replica. Without the transaction-log settings
        // exactly_once_v2 hangs in initTransactions.
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "4");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "4");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        // A crashed process's open transaction holds read_committed readers until the coordinator aborts it:
        // at its timeout, on this sweep (Kafka's default is every 10 s).
        p.put("transaction.abort.timed.out.transaction.cleanup.interval.ms", "1000");
        // Topics are created by Sluice with the pipeline's partition count; a typo must not create one.
        p.put("auto.create.topics.enable", "false");
        // The cleaner's default 128 MiB dedupe buffer is most of a dev heap.
        p.put("log.cleaner.dedupe.buffer.size", "8388608");
        // Ingest commits transaction after transaction per lane. Under Kafka 4's transaction protocol (v2) a lane's
        // next produce often reaches the leader while the coordinator still writes the previous commit's markers
        // (15% of them, batched HTTP), and the leader retries adding the partition after this backoff, 20 ms by
        // default: a lane stood still that long. Warm A/B, two rounds: batched HTTP +11%, WebSocket +17%, p99 of
        // batched 116-207 -> 61-79 ms.
        p.put("add.partitions.to.txn.retry.backoff.ms", "1");
        return p;
    }

    private static void format(Path configFile) {
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        int exit;
        try (PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8)) {
            exit = StorageTool.execute(
                    new String[] {
                        "format",
                        "--cluster-id",
                        Uuid.randomUuid().toString(),
                        "--config",
                        configFile.toString(),
                        "--ignore-formatted"
                    },
                    out);
        }
        if (exit != 0) {
            throw new IllegalStateException(
                    "formatting the Kafka storage failed: " + output.toString(StandardCharsets.UTF_8));
        }
    }

    String bootstrapServers() {
        return bootstrapServers;
    }

    @Override
    public void close() {
        hangingTransactions.close();
        server.shutdown();
        server.awaitShutdown();
    }
}

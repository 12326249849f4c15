package dev.sluice.server;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.utils.Time;

/**
 * One node (broker and controller) of a test's Kafka cluster, run as a child JVM so that a test can
 * kill -9 it: formats its storage with the cluster's id on first start, then serves until killed.
 * Arguments: {@code <server.properties> <cluster-id>}.
 */
public final class ClusterBroker {
    private ClusterBroker() {}

    public static void main(String[] args) throws Exception {
        Path config = Path.of(args[0]);
        Properties props = new Properties();
        try (Reader in = Files.newBufferedReader(config)) {
            props.load(in);
        }
        if (!Files.exists(Path.of(props.getProperty("log.dirs")).resolve("meta.properties"))) {
            ByteArrayOutputStream output = new ByteArrayOutputStream();
            int exit;
            try (PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8)) {
                exit = StorageTool.execute(
                        new String[] {"format", "--cluster-id", args[1], "--config", config.toString()}, out);
            }
            if (exit != 0) {
                throw new IllegalStateException("format failed: " + output.toString(StandardCharsets.UTF_8));
            }
        }
        KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(props, false), Time.SYSTEM);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.shutdown();
            server.awaitShutdown();
        }));
        server.startup();
        System.out.println("cluster broker " + props.getProperty("node.id") + " started");
        server.awaitShutdown();
    }
}

package dev.sluice.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.sink.S3Clients;
import dev.sluice.wire.Topics;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CreateBucketRequest;

/**
 * The production shape, without Docker: three Kafka brokers as child JVMs (replication 3, min ISR 2),
 * S3Proxy, and {@code sluice run} child processes, two of each role (ingest, processor, sink), all from one
 * {@code sluice.yaml}, started together as compose would. Under continuous load through both ingest
 * processes: kill -9 of a broker and its restart; kill -9 of one process of each role and their restart;
 * two brokers down at once, when nothing can commit. Every acknowledged record lands exactly once, and the
 * longest gap in object output per fault is printed.
 */
class ClusterTest {
    private static final Duration DEADLINE = Duration.ofMinutes(3);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @Test
    void aFleetOnAReplicatedClusterLosesNothingWhenAnyBrokerOrProcessDies() throws Exception {
        int[] ports = TestStack.freePorts(3);
        try (KafkaCluster kafka = KafkaCluster.start(dir, 3);
                EmbeddedS3 store = EmbeddedS3.start(dir.resolve("s3"), DevOptions.HOST, ports[0]);
                S3Client s3 = S3Clients.create(store.storage())) {
            s3.createBucket(CreateBucketRequest.builder().bucket("sluice").build());
            Path config = Files.writeString(dir.resolve("sluice.yaml"), """
                    pipelines:
                      - name: events
                        partitions: 4
                        sink: { batch: { maxDuration: 2s } }
                    kafka:
                      bootstrapServers: %s
                    storage:
                      endpoint: %s
                      accessKey: %s
                      secretKey: %s
                    """.formatted(
                            kafka.bootstrapServers(),
                            store.storage().endpoint(),
                            EmbeddedS3.ACCESS_KEY,
                            EmbeddedS3.SECRET_KEY));
            List<ChildProcess> fleet = List.of(
                    ChildProcess.run("ingest-1", "ingest", config, dir, ports[1]),
                    ChildProcess.run("ingest-2", "ingest", config, dir, ports[2]),
                    ChildProcess.run("processor-1", "processor", config, dir, 0),
                    ChildProcess.run("processor-2", "processor", config, dir, 0),
                    ChildProcess.run("sink-1", "sink", config, dir, 0),
                    ChildProcess.run("sink-2", "sink", config, dir, 0));
            try (Fleet running = new Fleet(fleet);
                    Notifications objects = new Notifications(kafka.bootstrapServers())) {
                fleet.forEach(p -> p.start("-Xmx256m"));
                fleet.forEach(ClusterTest::awaitHealthy);
                assertReplicated(kafka);

                IngestLoad load1 = new IngestLoad(url(ports[1]), "events", 20, 20, "")
                        .named("via-1")
                        .survivingCutConnections()
                        .start();
                IngestLoad load2 = new IngestLoad(url(ports[2]), "events", 20, 20, "")
                        .named("via-2")
                        .survivingCutConnections()
                        .start();
                List<IngestLoad> both = List.of(load1, load2);
                awaitProgress(both, objects);

                objects.fault("a broker killed and restarted");
                kafka.kill(2);
                awaitProgress(both, objects);
                kafka.restart(2);
                awaitProgress(both, objects);

                objects.fault("one process of each role killed and restarted");
                ChildProcess ingest1 = fleet.get(0);
                ChildProcess processor1 = fleet.get(2);
                ChildProcess sink1 = fleet.get(4);
                ingest1.kill();
                processor1.kill();
                sink1.kill();
                awaitProgress(List.of(load2), objects); // the survivors take over
                for (ChildProcess p : List.of(ingest1, processor1, sink1)) {
                    p.start("-Xmx256m");
                    awaitHealthy(p);
                }
                awaitProgress(both, objects);

                objects.fault("two brokers down, then back");
                int refusedBefore = load1.refused.size() + load2.refused.size();
                kafka.kill(1);
                kafka.kill(3);
                await().atMost(DEADLINE).until(() -> load1.refused.size() + load2.refused.size() > refusedBefore);
                kafka.restart(1);
                kafka.restart(3);
                awaitProgress(both, objects);
                objects.fault("end");

                load1.close();
                load2.close();
                List<String> acknowledged = new ArrayList<>(load1.acknowledged);
                acknowledged.addAll(load2.acknowledged);
                List<String> unknown = new ArrayList<>(load1.unknown);
                unknown.addAll(load2.unknown);
                await().atMost(DEADLINE)
                        .pollInterval(Duration.ofSeconds(1))
                        .until(() -> ids(s3).containsAll(acknowledged));
                ExactlyOnce.assertEveryIdOnce(acknowledged, unknown, TestStack.allRecords(s3, "sluice", "events"));
                System.out.printf(
                        "cluster: %,d records acknowledged, %,d refused while the cluster could not commit, %,d unknown"
                                + " (connection cut by a kill)%n",
                        acknowledged.size(), load1.refused.size() + load2.refused.size(), unknown.size());
                objects.printGaps();
            }
        }
    }

    private static String url(int port) {
        return "http://" + DevOptions.HOST + ":" + port;
    }

    /** Sluice's topics have three replicas and min.insync.replicas 2, without a word about it in sluice.yaml. */
    private static void assertReplicated(KafkaCluster kafka) throws Exception {
        try (Admin admin = kafka.admin()) {
            List<String> topics = List.of(
                    "events", Topics.output("events"), Topics.deadLetters("events"), Topics.sinkState("events"));
            Map<String, TopicDescription> described =
                    admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS);
            for (String topic : topics) {
                assertEquals(
                        3, described.get(topic).partitions().get(0).replicas().size(), topic + " replicas");
            }
            Config config = admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC, "events")))
                    .all()
                    .get(30, TimeUnit.SECONDS)
                    .values()
                    .iterator()
                    .next();
            assertEquals(
                    "2", config.get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG).value());
        }
    }

    /** Each load gets more records acknowledged and more objects are written: the pipeline flows. */
    private static void awaitProgress(List<IngestLoad> loads, Notifications objects) {
        List<Integer> acked = loads.stream().map(l -> l.acknowledged.size()).toList();
        int written = objects.count();
        await().atMost(DEADLINE).until(() -> {
            for (int i = 0; i < loads.size(); i++) {
                if (loads.get(i).acknowledged.size() < acked.get(i) + 200) {
                    return false;
                }
            }
            return objects.count() >= written + 2;
        });
    }

    private static void awaitHealthy(ChildProcess process) {
        await().atMost(DEADLINE).pollInterval(Duration.ofMillis(500)).until(() -> {
            assertTrue(process.isAlive(), () -> process.name() + " died:\n" + process.logOfThisRun());
            try {
                HttpResponse<String> r = HTTP.send(
                        HttpRequest.newBuilder(URI.create(url(process.adminPort()) + "/healthz"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                return r.statusCode() == 200;
            } catch (IOException e) {
                return false; // not listening yet
            }
        });
    }

    private static List<String> ids(S3Client s3) {
        return TestStack.allRecords(s3, "sluice", "events").stream()
                .map(r -> r.path("id").asText())
                .toList();
    }

    /** Stops the fleet (kill -9, they are throwaway) and keeps each log in the test output. */
    private record Fleet(List<ChildProcess> processes) implements AutoCloseable {
        @Override
        public void close() throws InterruptedException {
            for (ChildProcess p : processes) {
                p.close();
            }
        }
    }

    /**
     * Reads {@code sluice.notifications} as it is written, noting when each object was announced, and
     * the longest gap between two per fault window.
     */
    private static final class Notifications implements AutoCloseable {
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final Thread thread;
        private final List<Long> announcedAt = new CopyOnWriteArrayList<>();
        private final List<String> faults = new CopyOnWriteArrayList<>();
        private final List<Integer> faultStarts = new CopyOnWriteArrayList<>();
        private volatile boolean running = true;

        Notifications(String bootstrap) {
            consumer = new KafkaConsumer<>(
                    Map.of(
                            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                            ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                            ConsumerConfig.GROUP_ID_CONFIG, "cluster-test-notifications"),
                    new ByteArrayDeserializer(),
                    new ByteArrayDeserializer());
            consumer.subscribe(List.of(Topics.NOTIFICATIONS));
            thread = new Thread(this::run, "notifications");
            thread.start();
            fault("start");
        }

        private void run() {
            while (running) {
                for (ConsumerRecord<byte[], byte[]> ignored : consumer.poll(Duration.ofMillis(100))) {
                    announcedAt.add(System.nanoTime());
                }
            }
            consumer.close();
        }

        int count() {
            return announcedAt.size();
        }

        /** From now on, gaps belong to this fault. */
        void fault(String name) {
            faults.add(name);
            faultStarts.add(announcedAt.size());
        }

        void printGaps() {
            for (int f = 0; f + 1 < faults.size(); f++) {
                long longest = 0;
                int from = Math.max(1, faultStarts.get(f));
                for (int i = from; i < faultStarts.get(f + 1); i++) {
                    longest = Math.max(longest, announcedAt.get(i) - announcedAt.get(i - 1));
                }
                System.out.printf(
                        "cluster: %s: longest gap in object output %,d ms (%d objects)%n",
                        faults.get(f),
                        TimeUnit.NANOSECONDS.toMillis(longest),
                        faultStarts.get(f + 1) - faultStarts.get(f));
            }
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join();
        }
    }
}

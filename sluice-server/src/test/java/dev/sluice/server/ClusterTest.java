package dev.sluice.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.sink.S3Clients;
import dev.sluice.wire.ClientIds;
import dev.sluice.wire.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CreateBucketRequest;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The production shape, without Docker: three Kafka brokers as child JVMs (replication 3, min ISR 2),
 * S3Proxy, and {@code sluice run} child processes, two of each role (ingest, processor, sink, workflows), all from one
 * {@code sluice.yaml}, started together as compose would. Under continuous load through both ingest
 * processes: kill -9 of a broker and its restart; kill -9 of one process of each role and their restart;
 * two brokers down at once, when nothing can commit; then a rolling restart of every process onto a changed
 * config (a pipeline added, a transform added, batch limits changed), in two waves of one process of each role.
 * Every acknowledged record lands exactly once, the workflow the objects trigger runs once per object, and the
 * longest gap in object output per fault is printed.
 */
class ClusterTest {
    private static final Duration DEADLINE = Duration.ofMinutes(3);
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String WORKFLOW = """
            workflows:
              - name: index-events
                class: dev.sluice.examples.IndexObject
                trigger: { notifications: { pipeline: events } }
            """;
    private static final String FIRST_CONFIG = """
            pipelines:
              - name: events
                partitions: 4
                sink: { batch: { maxDuration: 2s } }
            """ + WORKFLOW;
    private static final int CHANGED_MAX_RECORDS = 100;
    /** A pipeline added, a transform added to {@code events}, its batch limits changed. */
    private static final String CHANGED_CONFIG = """
            pipelines:
              - name: events
                partitions: 4
                transforms:
                  - { label: redact, class: dev.sluice.examples.RedactEmails }
                sink: { batch: { maxDuration: 2s, maxRecords: %d } }
              - name: clicks
                partitions: 2
                sink: { batch: { maxDuration: 1s } }
            """.formatted(CHANGED_MAX_RECORDS) + WORKFLOW;

    /** A log line starts with its time; an exception's lines do not. */
    private static final Pattern LOG_LINE = Pattern.compile("\\d{2}:\\d{2}:\\d{2}\\.\\d{3} ");

    @TempDir
    Path dir;

    @Test
    void aFleetOnAReplicatedClusterLosesNothingWhenAnyBrokerOrProcessDies() throws Exception {
        int[] ports = TestStack.freePorts(5);
        try (KafkaCluster kafka = KafkaCluster.start(dir, 3);
                EmbeddedS3 store = EmbeddedS3.start(dir.resolve("s3"), DevOptions.HOST, ports[0]);
                S3Client s3 = S3Clients.create(store.storage())) {
            s3.createBucket(CreateBucketRequest.builder().bucket("sluice").build());
            String connections = """
                    kafka:
                      bootstrapServers: %s
                    storage:
                      endpoint: %s
                      accessKey: %s
                      secretKey: %s
                    """.formatted(
                    kafka.bootstrapServers(), store.storage().endpoint(), EmbeddedS3.ACCESS_KEY, EmbeddedS3.SECRET_KEY);
            Path config = Files.writeString(dir.resolve("sluice.yaml"), FIRST_CONFIG + connections);
            List<ChildProcess> fleet = List.of(
                    ChildProcess.run("ingest-1", "ingest", config, dir, ports[1]),
                    ChildProcess.run("ingest-2", "ingest", config, dir, ports[2]),
                    ChildProcess.run("processor-1", "processor", config, dir, 0),
                    ChildProcess.run("processor-2", "processor", config, dir, 0),
                    ChildProcess.run("sink-1", "sink", config, dir, 0),
                    ChildProcess.run("sink-2", "sink", config, dir, 0),
                    ChildProcess.run("workflows-1", "workflows", config, dir, ports[3]),
                    ChildProcess.run("workflows-2", "workflows", config, dir, ports[4]));
            try (Fleet running = new Fleet(fleet);
                    Notifications objects = new Notifications(kafka.bootstrapServers())) {
                fleet.forEach(p -> p.start("-Xmx256m"));
                fleet.forEach(ClusterTest::awaitHealthy);
                assertReplicated(kafka);

                String email = ",\"email\":\"user%d@example.com\"";
                IngestLoad load1 = new IngestLoad(url(ports[1]), "events", 20, 20, email)
                        .named("via-1")
                        .survivingCutConnections()
                        .start();
                IngestLoad load2 = new IngestLoad(url(ports[2]), "events", 20, 20, email)
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
                List<ChildProcess> oneOfEach = List.of(fleet.get(0), fleet.get(2), fleet.get(4), fleet.get(6));
                for (ChildProcess p : oneOfEach) {
                    p.kill();
                }
                // The survivors take over: once the killed members' sessions expire, every group member is theirs.
                try (Admin admin = kafka.admin()) {
                    awaitTakenOver(admin, ClientIds.processorApplication("events"), fleet.get(3), dir);
                    awaitTakenOver(admin, ClientIds.sinkGroup("events"), fleet.get(5), dir);
                    awaitTakenOver(admin, ClientIds.WORKFLOWS_APPLICATION, fleet.get(7), dir);
                }
                awaitProgress(List.of(load2), objects);
                oneOfEach.forEach(p -> p.start("-Xmx256m"));
                oneOfEach.forEach(ClusterTest::awaitHealthy);
                awaitProgress(both, objects);

                objects.fault("two brokers down, then back");
                int refusedBefore = load1.refused.size() + load2.refused.size();
                kafka.kill(1);
                kafka.kill(3);
                await().atMost(DEADLINE).until(() -> load1.refused.size() + load2.refused.size() > refusedBefore);
                kafka.restart(1);
                kafka.restart(3);
                awaitProgress(both, objects);

                objects.fault("rolling restart onto a changed config");
                Files.writeString(config, CHANGED_CONFIG + connections);
                // In two waves, one process of each role at a time, as an operator rolls a fleet: every role keeps
                // one process up throughout.
                for (List<ChildProcess> wave : List.of(
                        oneOfEach,
                        fleet.stream().filter(p -> !oneOfEach.contains(p)).toList())) {
                    wave.forEach(ChildProcess::terminate);
                    for (ChildProcess p : wave) {
                        assertTrue(p.awaitExit(60), () -> p.name() + " did not stop on SIGTERM:\n" + p.logOfThisRun());
                    }
                    wave.forEach(p -> p.start("-Xmx256m"));
                    wave.forEach(ClusterTest::awaitHealthy);
                }
                int changedFrom = objects.announced("events").size(); // every sink runs the changed config now
                awaitProgress(both, objects);
                List<String> clicks = postAfterTheChange(url(ports[1]), "clicks", "click");
                List<String> redacted = postAfterTheChange(url(ports[2]), "events", "redacted");
                objects.fault("end");

                load1.close();
                load2.close();
                List<String> acknowledged = new ArrayList<>(load1.acknowledged);
                acknowledged.addAll(load2.acknowledged);
                acknowledged.addAll(redacted);
                List<String> unknown = new ArrayList<>(load1.unknown);
                unknown.addAll(load2.unknown);
                long drainFrom = System.nanoTime();
                Output output = new Output(s3);
                try {
                    await().atMost(DEADLINE)
                            .pollInterval(Duration.ofSeconds(1))
                            .until(() -> ids(output.records("events")).containsAll(acknowledged)
                                    && ids(output.records("clicks")).containsAll(clicks));
                } catch (ConditionTimeoutException e) {
                    throw new AssertionError(whereMissing(kafka, output, acknowledged, clicks), e);
                }
                List<JsonNode> events = output.records("events");
                ExactlyOnce.assertEveryIdOnce(acknowledged, unknown, events);
                ExactlyOnce.assertEveryIdOnce(clicks, output.records("clicks"));
                long drained = System.nanoTime();
                assertChangedConfigApplies(events, redacted, objects, changedFrom);
                assertEveryObjectIndexed(s3, new WorkflowsClient(url(ports[3]), "sluice", null));
                System.out.printf(
                        "cluster: after the load, every record was in an object within %,d s, every object indexed"
                                + " %,d s later%n",
                        TimeUnit.NANOSECONDS.toSeconds(drained - drainFrom),
                        TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - drained));
                System.out.printf(
                        "cluster: %,d records acknowledged, %,d refused while the cluster could not commit, %,d unknown"
                                + " (connection cut by a kill or a stop), %,d not sent (ingest process down)%n",
                        acknowledged.size(),
                        load1.refused.size() + load2.refused.size(),
                        unknown.size(),
                        load1.notSent.size() + load2.notSent.size());
                objects.printGaps();
            }
        }
    }

    /** Ten records, each with an email, posted once the whole fleet runs the changed config; their ids. */
    private static List<String> postAfterTheChange(String baseUrl, String pipeline, String idPrefix) {
        List<String> ids =
                IntStream.range(0, 10).mapToObj(i -> idPrefix + "-" + i).toList();
        String body = ids.stream()
                .map(id -> "{\"id\":\"" + id + "\",\"k\":0,\"email\":\"" + id + "@example.com\"}")
                .collect(Collectors.joining(",", "[", "]"));
        HttpResponse<String> response = TestStack.post(baseUrl, pipeline, body);
        assertEquals(200, response.statusCode(), response.body());
        return ids;
    }

    /**
     * The transform added to {@code events} runs (emails are hashed) and its new batch limit holds for
     * every object written after the restart, a limit the objects before it exceeded.
     */
    private static void assertChangedConfigApplies(
            List<JsonNode> events, List<String> redacted, Notifications objects, int changedFrom) {
        for (JsonNode record : events) {
            if (redacted.contains(record.path("id").asText())) {
                assertTrue(record.path("email").asText().startsWith("sha256:"), record.toString());
            }
        }
        List<JsonNode> announced = objects.announced("events");
        long before = announced.subList(0, changedFrom).stream()
                .mapToLong(n -> n.path("records").asLong())
                .max()
                .orElseThrow();
        assertTrue(before > CHANGED_MAX_RECORDS, "objects before the change had at most " + before + " records");
        for (JsonNode n : announced.subList(changedFrom, announced.size())) {
            assertTrue(n.path("records").asLong() <= CHANGED_MAX_RECORDS, n.toString());
        }
    }

    /** The workflow the notifications trigger ran once per object of {@code events}, through every fault. */
    private static void assertEveryObjectIndexed(S3Client s3, WorkflowsClient api) {
        Map<String, String> written = TestStack.objects(s3, "sluice", "events").stream()
                .map(S3Object::key)
                .collect(
                        Collectors.toMap(key -> key.substring(key.lastIndexOf('/') + 1, key.indexOf('.')), key -> key));
        await().atMost(DEADLINE).pollInterval(Duration.ofSeconds(1)).until(() -> {
            Set<String> summaries = TestStack.objects(s3, "sluice", "summaries").stream()
                    .map(S3Object::key)
                    .collect(Collectors.toSet());
            return written.values().stream().allMatch(key -> summaries.contains("summaries/" + key + ".json"));
        });
        Map<String, String> statusById = new HashMap<>();
        for (int page = 1; ; page++) {
            WorkflowsClient.Answer answer = api.get("/index-events/instances?per_page=100&page=" + page);
            answer.result()
                    .forEach(i -> statusById.put(
                            i.path("id").asText(), i.path("status").asText()));
            if (page >= answer.body().path("result_info").path("total_pages").asInt()) {
                break;
            }
        }
        assertEquals(written.keySet(), statusById.keySet(), "an instance per object, and no other");
        assertEquals(Set.of("complete"), Set.copyOf(statusById.values()), statusById.toString());
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

    /** Every member of the consumer group is the survivor's: the killed process's share has moved to it. */
    private static void awaitTakenOver(Admin admin, String group, ChildProcess survivor, Path dir) throws IOException {
        String instanceId = Files.readString(
                        dir.resolve(survivor.name() + "-data").resolve("instance-id"))
                .strip();
        AtomicReference<ConsumerGroupDescription> last = new AtomicReference<>();
        try {
            await().atMost(DEADLINE).pollInterval(Duration.ofMillis(500)).until(() -> {
                ConsumerGroupDescription described = admin.describeConsumerGroups(List.of(group))
                        .all()
                        .get(10, TimeUnit.SECONDS)
                        .get(group);
                last.set(described);
                return !described.members().isEmpty()
                        && described.members().stream()
                                .allMatch(m -> m.groupInstanceId().orElse("").contains(instanceId));
            });
        } catch (ConditionTimeoutException e) {
            // The first line is what a CI summary keeps: the group as the broker saw it, and what the survivor said.
            ConsumerGroupDescription described = last.get();
            throw new AssertionError(
                    group + " not taken over by " + survivor.name() + " (" + instanceId + ") within " + DEADLINE
                            + ": state " + (described == null ? "unknown" : described.groupState())
                            + ", members "
                            + (described == null
                                    ? "unknown"
                                    : described.members().stream()
                                            .map(m -> m.groupInstanceId().orElse(m.consumerId()))
                                            .toList())
                            + ", survivor's warnings " + warnings(survivor.logOfThisRun()) + "\n"
                            + survivor.threadDump(),
                    e);
        }
    }

    /** The last few WARN and ERROR lines of a log, one line each, an ERROR with its exception's first line. */
    private static List<String> warnings(String log) {
        List<String> all = log.lines().toList();
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            String line = all.get(i);
            if (line.contains(" ERROR ")
                    && i + 1 < all.size()
                    && !LOG_LINE.matcher(all.get(i + 1)).lookingAt()) {
                lines.add(line + " | " + all.get(i + 1).strip());
            } else if (line.contains(" WARN ") || line.contains(" ERROR ")) {
                lines.add(line);
            }
        }
        return lines.subList(Math.max(0, lines.size() - 5), lines.size());
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

    /**
     * Which acknowledged records are in no object, and how far each got: the input topic, the processor's output,
     * both read as the processor and the sink read them (read_committed); and what holds transactions open.
     */
    private static String whereMissing(
            KafkaCluster kafka, Output output, List<String> acknowledged, List<String> clicks) {
        Set<String> written = new HashSet<>(ids(output.records("events")));
        written.addAll(ids(output.records("clicks")));
        List<String> missing = new ArrayList<>(acknowledged);
        missing.addAll(clicks);
        missing.removeIf(written::contains);
        Map<String, Map<String, String>> seen = new HashMap<>();
        for (String topic : List.of("events", Topics.output("events"), "clicks", Topics.output("clicks"))) {
            seen.put(topic, idsInTopic(kafka.bootstrapServers(), topic));
        }
        Map<String, String> outAt = seen.get(Topics.output("events"));
        Map<String, Long> byLoad = missing.stream()
                .collect(Collectors.groupingBy(id -> id.substring(0, id.lastIndexOf('-')), Collectors.counting()));
        StringBuilder out = new StringBuilder()
                .append(missing.size())
                .append(" acknowledged records in no object after ")
                .append(DEADLINE)
                .append(", by load ")
                .append(byLoad)
                .append('\n');
        seen.forEach((topic, ids) -> out.append("  in ")
                .append(topic)
                .append(" (read_committed): ")
                .append(missing.stream().filter(ids::containsKey).count())
                .append('\n'));
        out.append("  where in ")
                .append(Topics.output("events"))
                .append(": ")
                .append(missing.stream()
                        .map(id -> id + "=" + outAt.get(id))
                        .sorted()
                        .toList())
                .append('\n');
        out.append(sinkStateNear(
                kafka.bootstrapServers(),
                missing.stream().map(outAt::get).filter(Objects::nonNull).toList()));
        try (Admin admin = kafka.admin()) {
            out.append("  events-sink committed offsets: ")
                    .append(admin.listConsumerGroupOffsets(ClientIds.sinkGroup("events"))
                            .partitionsToOffsetAndMetadata()
                            .get(10, TimeUnit.SECONDS))
                    .append('\n');
            out.append(OpenTransactions.describe(admin));
        } catch (Exception e) {
            out.append("  no group offsets: ").append(e);
        }
        return out.toString();
    }

    /**
     * The sink's state records (manifests, tombstones) in the partitions of missing records, committed or
     * aborted, whose range comes within 500 offsets of theirs: what the sink recorded around what it lost.
     */
    private static String sinkStateNear(String bootstrap, List<String> places) {
        Map<Integer, long[]> span = new HashMap<>();
        for (String place : places) {
            int p = Integer.parseInt(place.substring(0, place.indexOf('@')));
            long o = Long.parseLong(place.substring(place.indexOf('@') + 1));
            span.merge(p, new long[] {o, o}, (x, y) -> new long[] {Math.min(x[0], y[0]), Math.max(x[1], y[1])});
        }
        String topic = Topics.sinkState("events");
        Set<String> committed = new HashSet<>();
        for (ConsumerRecord<byte[], byte[]> r : TestStack.readTopic(
                Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), topic, "read_committed")) {
            committed.add(r.partition() + "@" + r.offset());
        }
        StringBuilder out = new StringBuilder("  missing offsets:");
        span.forEach((p, s) ->
                out.append(' ').append(p).append('=').append(s[0]).append("..").append(s[1]));
        out.append('\n');
        for (ConsumerRecord<byte[], byte[]> r : TestStack.readTopic(
                Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), topic, "read_uncommitted")) {
            long[] s = span.get(r.partition());
            if (s == null || r.key() == null) {
                continue;
            }
            String at = r.partition() + "@" + r.offset();
            String key = new String(r.key(), StandardCharsets.UTF_8);
            String flag = committed.contains(at) ? "" : " (aborted or open)";
            if (r.value() == null) {
                out.append("    ")
                        .append(at)
                        .append(" tombstone ")
                        .append(key)
                        .append(flag)
                        .append('\n');
                continue;
            }
            try {
                JsonNode m = JSON.readTree(r.value());
                JsonNode range = m.path("ranges").path(Integer.toString(r.partition()));
                long first = range.path("first").asLong(-1);
                long last = range.path("last").asLong(-1);
                if (last >= s[0] - 500 && first <= s[1] + 500) {
                    out.append("    ")
                            .append(at)
                            .append(' ')
                            .append(key.substring(key.lastIndexOf('/') + 1))
                            .append(' ')
                            .append(m.path("state").asText())
                            .append(" [")
                            .append(first)
                            .append("..")
                            .append(last)
                            .append("] ")
                            .append(m.path("records").asLong())
                            .append(" records, closed by ")
                            .append(m.path("closedBy").asText())
                            .append(flag)
                            .append('\n');
                }
            } catch (IOException e) {
                out.append("    ").append(at).append(" unreadable: ").append(e).append('\n');
            }
        }
        return out.toString();
    }

    /** Where a read_committed reader finds each {@code id} in a topic now: {@code partition@offset}. */
    private static Map<String, String> idsInTopic(String bootstrap, String topic) {
        Pattern id = Pattern.compile("\"id\":\"([^\"]+)\"");
        Map<String, String> ids = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : TestStack.readTopic(
                Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), topic, "read_committed")) {
            if (r.value() != null) {
                Matcher m = id.matcher(new String(r.value(), StandardCharsets.UTF_8));
                while (m.find()) {
                    ids.put(m.group(1), r.partition() + "@" + r.offset());
                }
            }
        }
        return ids;
    }

    private static Set<String> ids(List<JsonNode> records) {
        return records.stream().map(r -> r.path("id").asText()).collect(Collectors.toSet());
    }

    /** The records under a prefix; an object never changes once written, so each is read once however often asked. */
    private record Output(S3Client s3, Map<String, List<JsonNode>> read) {
        Output(S3Client s3) {
            this(s3, new HashMap<>());
        }

        List<JsonNode> records(String prefix) {
            List<JsonNode> out = new ArrayList<>();
            for (S3Object object : TestStack.objects(s3, "sluice", prefix)) {
                out.addAll(read.computeIfAbsent(object.key(), key -> TestStack.records(s3, "sluice", key)));
            }
            return out;
        }
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
        private final List<JsonNode> announced = new CopyOnWriteArrayList<>();
        private final List<String> faults = new CopyOnWriteArrayList<>();
        private final List<Integer> faultStarts = new CopyOnWriteArrayList<>();
        private final List<Long> faultTimes = new CopyOnWriteArrayList<>();
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
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    try {
                        announced.add(JSON.readTree(record.value()));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    announcedAt.add(System.nanoTime());
                }
            }
            consumer.close();
        }

        int count() {
            return announcedAt.size();
        }

        /** The notifications of one pipeline, in the order read. */
        List<JsonNode> announced(String pipeline) {
            return announced.stream()
                    .filter(n -> n.path("pipeline").asText().equals(pipeline))
                    .toList();
        }

        /** From now on, gaps belong to this fault. */
        void fault(String name) {
            faults.add(name);
            faultStarts.add(announcedAt.size());
            faultTimes.add(System.nanoTime());
        }

        void printGaps() {
            for (int f = 0; f + 1 < faults.size(); f++) {
                long longest = 0;
                int from = Math.max(1, faultStarts.get(f));
                for (int i = from; i < faultStarts.get(f + 1); i++) {
                    longest = Math.max(longest, announcedAt.get(i) - announcedAt.get(i - 1));
                }
                System.out.printf(
                        "cluster: %s: longest gap in object output %,d ms (%d objects in %,d s)%n",
                        faults.get(f),
                        TimeUnit.NANOSECONDS.toMillis(longest),
                        faultStarts.get(f + 1) - faultStarts.get(f),
                        TimeUnit.NANOSECONDS.toSeconds(faultTimes.get(f + 1) - faultTimes.get(f)));
            }
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join();
        }
    }
}

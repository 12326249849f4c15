package dev.sluice.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.wire.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The workflows load driver: creates instances over the REST API in batches of 100 and follows the
 * engine's commands topic for each instance's {@code completed} outcome (the moment its last step's
 * execution reported the end of {@code run}). Prints instances/s end to end and create-to-complete
 * latency; with {@code --rate} the load is open-loop and latency counts from each batch's due time.
 * Run by benchmarks/workflows.sh.
 */
@Command(name = "workflow-load", mixinStandardHelpOptions = true)
public final class WorkflowLoad implements Callable<Integer> {

    @Option(names = "--api", required = true, description = "…/client/v4/accounts/{account}/workflows")
    String api;

    @Option(names = "--bootstrap", required = true)
    String bootstrap;

    @Option(names = "--workflow", required = true)
    String workflow;

    @Option(names = "--instances", defaultValue = "20000")
    int instances;

    @Option(
            names = "--rate",
            defaultValue = "0",
            description = "instances/s to create (open loop); 0 = as fast as possible")
    int rate;

    @Option(names = "--due-in", defaultValue = "0", description = "seconds: params.dueAt = start + this (SleepUntil)")
    int dueIn;

    @Option(names = "--in-flight", defaultValue = "8", description = "batch requests in flight at once")
    int inFlight;

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final AtomicLong refused = new AtomicLong();

    public static void main(String[] args) {
        System.exit(new CommandLine(new WorkflowLoad()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        String run = Long.toString(System.currentTimeMillis(), 36);
        Map<String, Long> createdAt = new ConcurrentHashMap<>();
        Histogram latency = new Histogram(3_600_000L, 3);
        AtomicLong completed = new AtomicLong();
        AtomicLong lastCompletion = new AtomicLong();
        AtomicBoolean done = new AtomicBoolean();
        warmUpClient();
        AtomicLong startAt = new AtomicLong();
        Histogram lateness = new Histogram(3_600_000L, 3);
        AtomicLong early = new AtomicLong();
        Map<Long, Long> worstBySecond = new ConcurrentHashMap<>();
        String keyPrefix = workflow + "/" + run + "-";

        CountDownLatch following = new CountDownLatch(1);
        Thread follower = new Thread(
                () -> follow(
                        keyPrefix,
                        createdAt,
                        latency,
                        completed,
                        lastCompletion,
                        done,
                        lateness,
                        early,
                        following,
                        startAt,
                        worstBySecond),
                "completions");
        follower.start();
        following.await(); // positioned at the topic's end before the first create
        // The clock starts now: batches are due from here, not from before the follower was ready.
        long start = System.currentTimeMillis();
        long dueAt = start + dueIn * 1000L;
        startAt.set(start);

        Semaphore permits = new Semaphore(inFlight);
        Histogram sendLag = new Histogram(3_600_000L, 3);
        Histogram buildLag = new Histogram(3_600_000L, 3);
        int batches = (instances + 99) / 100;
        for (int b = 0; b < batches; b++) {
            long due = rate > 0 ? start + (long) b * 100_000L / rate : System.currentTimeMillis();
            while (rate > 0 && System.currentTimeMillis() < due) {
                Thread.sleep(Math.max(1, due - System.currentTimeMillis())); // pacing the open-loop driver
            }
            StringBuilder body = new StringBuilder("[");
            int n = Math.min(100, instances - b * 100);
            for (int i = 0; i < n; i++) {
                String id = run + "-" + (b * 100 + i);
                createdAt.put(workflow + "/" + id, due);
                body.append(i == 0 ? "" : ",")
                        .append("{\"instance_id\":\"")
                        .append(id)
                        .append("\",\"params\":{\"dueAt\":")
                        .append(dueAt)
                        .append("}}");
            }
            body.append(']');
            if (rate > 0) {
                buildLag.recordValue(Math.max(0, System.currentTimeMillis() - due));
            }
            permits.acquire();
            if (rate > 0) {
                sendLag.recordValue(Math.max(0, System.currentTimeMillis() - due));
            }
            CompletableFuture<HttpResponse<String>> sent = http.sendAsync(
                    HttpRequest.newBuilder(URI.create(api + "/" + workflow + "/instances/batch"))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            // The callback counts a refused batch, failed or not answered 200.
            Future<?> unused = sent.whenComplete((response, error) -> {
                permits.release();
                if (error != null || response.statusCode() != 200) {
                    if (refused.incrementAndGet() <= 3) {
                        System.out.println("batch refused: "
                                + (error != null ? error : response.statusCode() + " " + response.body()));
                    }
                }
            });
        }
        permits.acquire(inFlight);
        long created = System.currentTimeMillis();
        System.out.printf(
                "created %d instances of %s in %.1f s (%.0f/s)%n",
                instances, workflow, (created - start) / 1000.0, instances * 1000.0 / Math.max(1, created - start));
        if (rate > 0) {
            System.out.printf(
                    "batches built after their due time, ms: p99 %d, max %d%n",
                    buildLag.getValueAtPercentile(99), buildLag.getMaxValue());
            System.out.printf(
                    "batches sent after their due time, ms: p50 %d, p99 %d, max %d%n",
                    sendLag.getValueAtPercentile(50), sendLag.getValueAtPercentile(99), sendLag.getMaxValue());
        }
        if (refused.get() > 0) {
            System.out.printf("%d batches refused%n", refused.get());
            return 1;
        }
        long deadline = System.currentTimeMillis() + Math.max(300_000L, dueIn * 2000L);
        while (completed.get() < instances && System.currentTimeMillis() < deadline) {
            Thread.sleep(200); // the driver reports progress; it asserts nothing
        }
        done.set(true);
        follower.join();
        long elapsed = lastCompletion.get() - start;
        System.out.printf(
                "completed %d of %d in %.1f s: %.0f instances/s end to end%n",
                completed.get(), instances, elapsed / 1000.0, completed.get() * 1000.0 / Math.max(1, elapsed));
        System.out.printf(
                "create-to-complete ms: p50 %d, p99 %d, max %d%n",
                latency.getValueAtPercentile(50), latency.getValueAtPercentile(99), latency.getMaxValue());
        // Where the tail sits in the run: is it a warm-up, one stall, or spread evenly?
        String slow = worstBySecond.entrySet().stream()
                .filter(e -> e.getValue() > 500)
                .sorted(Map.Entry.comparingByKey())
                .map(e -> e.getKey() + "s:" + e.getValue())
                .collect(Collectors.joining(" "));
        System.out.printf(
                "seconds of the run (by due time) with a create-to-complete over 500 ms: %s%n",
                slow.isEmpty() ? "none" : slow);
        if (dueIn > 0) {
            System.out.printf(
                    "completed after due, ms: p50 %d, p99 %d, max %d; before due: %d%n",
                    lateness.getValueAtPercentile(50),
                    lateness.getValueAtPercentile(99),
                    lateness.getMaxValue(),
                    early.get());
            timerLateness(run, dueAt);
        }
        return completed.get() == instances ? 0 : 1;
    }

    /** When the sleep itself ended (its timer fired), for a sample of 1,000 instances read back over REST. */
    private static final ObjectMapper JSON = new ObjectMapper();

    private void timerLateness(String run, long dueAt) throws Exception {
        Histogram fired = new Histogram(3_600_000L, 3);
        long before = 0;
        long unread = 0;
        Random random = new Random(1);
        for (int i = 0; i < 1000; i++) {
            String id = run + "-" + random.nextInt(instances);
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(URI.create(api + "/" + workflow + "/instances/" + id))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode end = null;
            for (JsonNode step : JSON.readTree(response.body()).path("result").path("steps")) {
                if (step.path("type").asText().equals("sleep")) {
                    end = step.get("end");
                }
            }
            if (end == null || !end.isTextual()) {
                unread++; // not asleep-and-woken as far as this instance's status says (e.g. still asleep)
                continue;
            }
            long at = Instant.parse(end.asText()).toEpochMilli();
            if (at < dueAt) {
                before++;
            } else {
                fired.recordValue(at - dueAt);
            }
        }
        System.out.printf(
                "timers fired after due (sample of 1,000), ms: p50 %d, p99 %d, max %d; before due: %d; no sleep end: %d%n",
                fired.getValueAtPercentile(50), fired.getValueAtPercentile(99), fired.getMaxValue(), before, unread);
    }

    /**
     * This JVM's HTTP client loads and compiles on its first requests (hundreds of ms): without this the
     * open-loop latency of the first second measured the driver starting, not the engine.
     */
    private void warmUpClient() throws Exception {
        List<CompletableFuture<HttpResponse<String>>> gets = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            // An empty batch: the same request path as a create, refused (400) without creating anything.
            gets.add(http.sendAsync(
                    HttpRequest.newBuilder(URI.create(api + "/" + workflow + "/instances/batch"))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("[]"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString()));
            if (gets.size() == inFlight) {
                gets.forEach(CompletableFuture::join);
                gets.clear();
            }
        }
        gets.forEach(CompletableFuture::join);
    }

    private void follow(
            String keyPrefix,
            Map<String, Long> createdAt,
            Histogram latency,
            AtomicLong completed,
            AtomicLong lastCompletion,
            AtomicBoolean done,
            Histogram lateness,
            AtomicLong early,
            CountDownLatch following,
            AtomicLong startAt,
            Map<Long, Long> worstBySecond) {
        Map<String, Object> props = Map.of("bootstrap.servers", bootstrap, "isolation.level", "read_committed");
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.WORKFLOW_COMMANDS).stream()
                    .map(p -> new TopicPartition(Topics.WORKFLOW_COMMANDS, p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position);
            following.countDown();
            while (startAt.get() == 0) {
                Thread.onSpinWait(); // the main thread starts the clock right after this countDown
            }
            long start = startAt.get();
            long dueAt = start + dueIn * 1000L;
            while (!done.get()) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    if (record.key() != null
                            && record.key().startsWith(keyPrefix)
                            && new String(record.value(), StandardCharsets.UTF_8).contains("\"kind\":\"completed\"")) {
                        Long created = createdAt.get(record.key());
                        if (created != null) {
                            latency.recordValue(Math.max(0, record.timestamp() - created));
                            worstBySecond.merge((created - start) / 1000, record.timestamp() - created, Math::max);
                            completed.incrementAndGet();
                            lastCompletion.accumulateAndGet(record.timestamp(), Math::max);
                            if (dueAt > created) {
                                long late = record.timestamp() - dueAt;
                                if (late < 0) {
                                    early.incrementAndGet();
                                } else {
                                    lateness.recordValue(late);
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

package dev.sluice.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.wire.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Object;

/** Workflows on a real broker and S3Proxy: notification triggers, the Cloudflare-shaped REST API, the lifecycle. */
class WorkflowsTest {
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    @RegisterExtension
    static final StackExtension running = new StackExtension("""
                        pipelines:
                          - name: events
                            partitions: 2
                            sink: { batch: { maxRecords: 100, maxDuration: 2s } }
                        workflows:
                          - name: index
                            class: dev.sluice.examples.IndexObject
                            config: { countBy: kind }
                            trigger: { notifications: { pipeline: events } }
                          - name: approval
                            class: dev.sluice.examples.OrderApproval
                          - name: sleeper
                            class: dev.sluice.server.TestWorkflows$Sleeper
                          - name: gate
                            class: dev.sluice.server.TestWorkflows$Gate
                          - name: flaky
                            class: dev.sluice.server.TestWorkflows$Flaky
                          - name: parent
                            class: dev.sluice.server.TestWorkflows$Parent
                          - name: waiter
                            class: dev.sluice.server.TestWorkflows$Waiter
                          - name: failing
                            class: dev.sluice.server.TestWorkflows$Failing
                          - name: short-lived
                            class: dev.sluice.server.TestWorkflows$Sleeper
                            retention: 2s
                          - name: locked
                            class: dev.sluice.server.TestWorkflows$Sleeper
                            http: { auth: { tokens: [s3cret] } }
                        """);

    static WorkflowsClient api;

    @BeforeAll
    static void start() {
        api = new WorkflowsClient(running.stack(), "sluice", null);
    }

    @Test
    void everyObjectStartsExactlyOneInstanceThatCountsItsRows() {
        for (int request = 0; request < 7; request++) {
            List<String> records = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                records.add(
                        "{\"id\":\"r" + request + "-" + i + "\",\"kind\":\"" + (i % 3 == 0 ? "click" : "view") + "\"}");
            }
            TestStack.postAcked(running.stack(), "events", records);
        }
        await().atMost(DEADLINE)
                .until(() ->
                        TestStack.allRecords(running.s3(), "sluice", "events").size() == 350);
        Map<String, Integer> rowsByObject = new HashMap<>();
        for (S3Object object : TestStack.objects(running.s3(), "sluice", "events")) {
            rowsByObject.put(
                    object.key(),
                    TestStack.records(running.s3(), "sluice", object.key()).size());
        }
        await().atMost(DEADLINE).untilAsserted(() -> {
            JsonNode list =
                    api.get("/index/instances?status=complete&per_page=100").result();
            assertEquals(rowsByObject.size(), list.size(), list::toString);
        });
        for (Map.Entry<String, Integer> object : rowsByObject.entrySet()) {
            String key = object.getKey();
            String id = key.substring(key.lastIndexOf('/') + 1, key.indexOf('.', key.lastIndexOf('/')));
            JsonNode instance = api.get("/index/instances/" + id).result();
            assertEquals("complete", instance.path("status").asText(), instance::toString);
            assertEquals(object.getValue().intValue(), instance.path("output").asInt(), "rows of " + key);
            assertEquals("event", instance.path("trigger").path("source").asText());
            assertEquals(key, instance.path("params").path("object").path("key").asText());
            assertEquals(2, instance.path("steps").size());
            String summary = running.s3()
                    .getObjectAsBytes(GetObjectRequest.builder()
                            .bucket("sluice")
                            .key("summaries/" + key + ".json")
                            .build())
                    .asString(StandardCharsets.UTF_8);
            assertTrue(summary.contains("\"rows\":" + object.getValue()), summary);
        }
        assertEquals(
                rowsByObject.size(),
                api.get("/index/instances?per_page=100").result().size(),
                "no instance twice");
    }

    @Test
    void aDuplicatedNotificationStartsNoSecondInstance() throws Exception {
        TestStack.postAcked(running.stack(), "events", List.of("{\"id\":\"dup-1\",\"kind\":\"x\"}"));
        await().atMost(DEADLINE).until(() -> objectHolding("dup-1") != null);
        String key = objectHolding("dup-1");
        await().atMost(DEADLINE)
                .until(() -> TestStack.readCommitted(running.stack(), Topics.NOTIFICATIONS).stream()
                        .anyMatch(r -> key.equals(new String(r.key(), StandardCharsets.UTF_8))));
        byte[] notification = TestStack.readCommitted(running.stack(), Topics.NOTIFICATIONS).stream()
                .filter(r -> key.equals(new String(r.key(), StandardCharsets.UTF_8)))
                .findFirst()
                .orElseThrow()
                .value();
        String id = key.substring(key.lastIndexOf('/') + 1, key.indexOf('.', key.lastIndexOf('/')));
        await().atMost(DEADLINE).until(() -> api.status("index", id).equals("complete"));
        String queuedBefore =
                api.get("/index/instances/" + id).result().path("queued").asText();
        Map<String, Object> props = running.stack().config().kafka().clientProperties();
        try (KafkaProducer<String, byte[]> producer =
                new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < 3; i++) {
                producer.send(new ProducerRecord<>(Topics.NOTIFICATIONS, key, notification))
                        .get();
            }
        }
        EngineProgress.awaitCaughtUp(running.stack(), DEADLINE);
        JsonNode instance = api.get("/index/instances/" + id).result();
        assertEquals(queuedBefore, instance.path("queued").asText(), "the instance was not created again");
        assertEquals("complete", instance.path("status").asText());
        long sameObject = 0;
        for (JsonNode row : api.get("/index/instances?per_page=100").result()) {
            sameObject += row.path("id").asText().equals(id) ? 1 : 0;
        }
        assertEquals(1, sameObject);
    }

    private static String objectHolding(String recordId) {
        for (S3Object object : TestStack.objects(running.s3(), "sluice", "events")) {
            if (TestStack.records(running.s3(), "sluice", object.key()).stream()
                    .anyMatch(r -> r.path("id").asText().equals(recordId))) {
                return object.key();
            }
        }
        return null;
    }

    @Test
    void createGetAndEventsSpeakCloudflaresApi() {
        WorkflowsClient.Answer created =
                api.post("/approval/instances", "{\"instance_id\":\"o-1\",\"params\":{\"orderId\":\"o-1\"}}");
        assertEquals(200, created.status(), created.body()::toString);
        assertEquals("o-1", created.result().path("id").asText());
        assertTrue(created.body().path("success").asBoolean());
        await().atMost(DEADLINE).until(() -> api.status("approval", "o-1").equals("waiting"));
        // Creating an id that exists returns that instance.
        WorkflowsClient.Answer again =
                api.post("/approval/instances", "{\"instance_id\":\"o-1\",\"params\":{\"orderId\":\"other\"}}");
        assertEquals("waiting", again.result().path("status").asText());
        assertEquals(
                200,
                api.post("/approval/instances/o-1/events/approval", "{\"approved\":true,\"by\":\"ada\"}")
                        .status());
        await().atMost(DEADLINE).until(() -> api.status("approval", "o-1").equals("complete"));
        JsonNode instance = api.get("/approval/instances/o-1").result();
        assertEquals(
                "{\"orderId\":\"o-1\",\"status\":\"approved\",\"by\":\"ada\"}", sortedOutput(instance.path("output")));
        assertEquals("o-1", instance.path("params").path("orderId").asText());
        assertEquals(List.of("step:reserve stock", "waitForEvent:approval", "step:confirm order"), stepNames(instance));
        assertEquals(
                "approval", instance.path("steps").path(1).path("event_type").asText());
        assertTrue(instance.path("success").asBoolean());
        // params as a JSON-encoded string, the way Cloudflare's SDK types it.
        WorkflowsClient.Answer fromString =
                api.post("/sleeper/instances", "{\"instance_id\":\"s-str\",\"params\":\"{\\\"n\\\":5}\"}");
        assertEquals(200, fromString.status());
        await().atMost(DEADLINE).until(() -> api.status("sleeper", "s-str").equals("complete"));
        assertEquals(
                5, api.get("/sleeper/instances/s-str").result().path("output").asInt());
    }

    @Test
    void aBatchOfOneHundredCompletesAndPagesLikeCloudflare() {
        StringBuilder batch = new StringBuilder("[");
        for (int i = 0; i < 100; i++) {
            batch.append(i == 0 ? "" : ",")
                    .append("{\"instance_id\":\"b-")
                    .append(i)
                    .append("\",\"params\":{\"n\":")
                    .append(i)
                    .append("}}");
        }
        WorkflowsClient.Answer created =
                api.post("/sleeper/instances/batch", batch.append("]").toString());
        assertEquals(200, created.status(), created.body()::toString);
        assertEquals(100, created.result().size());
        await().atMost(DEADLINE).until(() -> {
            int complete = 0;
            for (int i = 0; i < 100; i++) {
                complete += api.status("sleeper", "b-" + i).equals("complete") ? 1 : 0;
            }
            return complete == 100;
        });
        for (int i = 0; i < 100; i++) {
            assertEquals(
                    i,
                    api.get("/sleeper/instances/b-" + i).result().path("output").asInt());
            assertEquals(1, TestWorkflows.runs("b-" + i, "first"), "a recorded step never runs again");
            assertEquals(1, TestWorkflows.runs("b-" + i, "second"));
        }
        Set<String> ids = new HashSet<>();
        for (int page = 1; ; page++) {
            JsonNode rows =
                    api.get("/sleeper/instances?per_page=30&page=" + page).result();
            if (rows.isEmpty()) {
                break;
            }
            rows.forEach(row -> ids.add(row.path("id").asText()));
        }
        for (int i = 0; i < 100; i++) {
            assertTrue(ids.contains("b-" + i), "b-" + i + " is listed");
        }
        assertEquals(400, api.post("/sleeper/instances/batch", "[]").status());
    }

    @Test
    void pauseResumeTerminateAndRestartFromAStep() {
        api.post("/gate/instances", "{\"instance_id\":\"g-1\"}");
        await().atMost(DEADLINE).until(() -> api.status("gate", "g-1").equals("waiting"));
        assertEquals(
                200,
                api.patch("/gate/instances/g-1/status", "{\"status\":\"pause\"}")
                        .status());
        await().atMost(DEADLINE).until(() -> api.status("gate", "g-1").equals("paused"));
        api.post("/gate/instances/g-1/events/go", "{\"value\":\"first\"}");
        // Held at the boundary: the event is taken, but step two does not run while paused.
        await().atMost(DEADLINE)
                .until(() -> api.get("/gate/instances/g-1")
                        .result()
                        .path("steps")
                        .path(1)
                        .path("finished")
                        .asBoolean());
        assertEquals("paused", api.status("gate", "g-1"));
        assertEquals(0, TestWorkflows.runs("g-1", "two"));
        api.patch("/gate/instances/g-1/status", "{\"status\":\"resume\"}");
        await().atMost(DEADLINE).until(() -> api.status("gate", "g-1").equals("complete"));
        assertEquals(
                "first", api.get("/gate/instances/g-1").result().path("output").asText());

        // Restart from the wait: step one keeps its result and does not run again.
        WorkflowsClient.Answer restart = api.patch(
                "/gate/instances/g-1/status",
                "{\"status\":\"restart\",\"from\":{\"name\":\"gate\",\"type\":\"waitForEvent\"}}");
        assertEquals(200, restart.status(), restart.body()::toString);
        await().atMost(DEADLINE).until(() -> api.status("gate", "g-1").equals("waiting"));
        api.post("/gate/instances/g-1/events/go", "{\"value\":\"second\"}");
        await().atMost(DEADLINE).until(() -> api.status("gate", "g-1").equals("complete"));
        assertEquals(
                "second", api.get("/gate/instances/g-1").result().path("output").asText());
        assertEquals(1, TestWorkflows.runs("g-1", "one"));
        assertEquals(2, TestWorkflows.runs("g-1", "two"));
        assertEquals(
                400,
                api.patch("/gate/instances/g-1/status", "{\"status\":\"restart\",\"from\":{\"name\":\"nope\"}}")
                        .status());

        api.post("/gate/instances", "{\"instance_id\":\"g-2\"}");
        await().atMost(DEADLINE).until(() -> api.status("gate", "g-2").equals("waiting"));
        api.patch("/gate/instances/g-2/status", "{\"status\":\"terminate\"}");
        await().atMost(DEADLINE).until(() -> api.status("gate", "g-2").equals("terminated"));
        api.post("/gate/instances/g-2/events/go", "{\"value\":\"late\"}");
        // Terminate is for good: a later event changes nothing.
        EngineProgress.awaitCaughtUp(running.stack(), DEADLINE);
        assertEquals("terminated", api.status("gate", "g-2"));
        assertEquals(0, TestWorkflows.runs("g-2", "two"));
    }

    @Test
    void retriesBackOffAndChildWorkflowsReturnTheirOutput() {
        api.post("/flaky/instances", "{\"instance_id\":\"f-1\",\"params\":{\"failures\":2}}");
        await().atMost(DEADLINE).until(() -> api.status("flaky", "f-1").equals("complete"));
        JsonNode instance = api.get("/flaky/instances/f-1").result();
        assertEquals("ok on attempt 3", instance.path("output").asText());
        JsonNode attempts = instance.path("steps").path(0).path("attempts");
        assertEquals(3, attempts.size());
        assertEquals(false, attempts.path(0).path("success").asBoolean());
        assertEquals(
                "attempt 1 fails",
                attempts.path(0).path("error").path("message").asText());
        assertEquals(3, TestWorkflows.runs("f-1", "flaky"));

        api.post("/parent/instances", "{\"instance_id\":\"p-1\"}");
        await().atMost(DEADLINE).until(() -> api.status("parent", "p-1").equals("complete"));
        assertEquals(
                42, api.get("/parent/instances/p-1").result().path("output").asInt());
    }

    @Test
    void anEventSentBeforeItsWaitIsKeptAndAWaitThatTimesOutCanBeCaught() {
        api.post("/waiter/instances", "{\"instance_id\":\"w-1\",\"params\":{\"sleepMs\":2000}}");
        await().atMost(DEADLINE).until(() -> api.status("waiter", "w-1").equals("waiting"));
        // Sent while the instance sleeps, before it reaches its wait.
        assertEquals(
                200,
                api.post("/waiter/instances/w-1/events/early", "{\"v\":\"kept\"}")
                        .status());
        await().atMost(DEADLINE).until(() -> api.status("waiter", "w-1").equals("complete"));
        JsonNode instance = api.get("/waiter/instances/w-1").result();
        assertEquals("kept then timeout", instance.path("output").asText());
        JsonNode never = instance.path("steps").path(2);
        assertEquals("never", never.path("name").asText());
        assertEquals("WaitTimeoutException", never.path("error").path("name").asText());
    }

    @Test
    void nonRetryableTimeoutAndTooLargeFailTheirStepsAndTheWorkflowCatchesThem() {
        api.post("/failing/instances", "{\"instance_id\":\"x-1\"}");
        await().atMost(DEADLINE).until(() -> api.status("failing", "x-1").equals("complete"));
        JsonNode instance = api.get("/failing/instances/x-1").result();
        JsonNode seen = instance.path("output");
        assertEquals(3, seen.size(), seen::toString);
        assertTrue(seen.path(0).asText().contains("404 from the API"), seen::toString);
        assertTrue(seen.path(1).asText().contains("timeout of 200 ms"), seen::toString);
        assertTrue(seen.path(2).asText().contains("a step result may be at most 1048576 bytes"), seen::toString);
        assertEquals(1, instance.path("steps").path(0).path("attempts").size(), "non-retryable: one attempt");
        assertEquals(2, instance.path("steps").path(1).path("attempts").size(), "timeout: retried once");
        assertEquals(1, instance.path("steps").path(2).path("attempts").size(), "too large: one attempt");
        assertEquals(1, TestWorkflows.runs("x-1", "refused"));
        assertEquals(2, TestWorkflows.runs("x-1", "slow"));
    }

    @Test
    void finishedInstancesAreDeletedAfterTheirRetention() {
        api.post("/short-lived/instances", "{\"instance_id\":\"gone\"}");
        await().atMost(DEADLINE).until(() -> api.status("short-lived", "gone").equals("complete"));
        long ended = java.time.Instant.parse(api.get("/short-lived/instances/gone")
                        .result()
                        .path("end")
                        .asText())
                .toEpochMilli();
        await().atMost(DEADLINE)
                .until(() -> api.get("/short-lived/instances/gone").status() == 404);
        assertTrue(System.currentTimeMillis() - ended >= 2_000, "deleted before its retention of 2 s");
        assertEquals(0, api.get("/short-lived/instances").result().size());
    }

    @Test
    void refusalsNameTheProblemInTheEnvelope() {
        WorkflowsClient.Answer wrongAccount =
                new WorkflowsClient(running.stack(), "other", null).get("/sleeper/instances");
        assertEquals(404, wrongAccount.status());
        assertTrue(wrongAccount.firstError().contains("account 'other'"), wrongAccount.firstError());
        assertEquals(404, api.get("/nope/instances").status());
        assertEquals(404, api.get("/sleeper/instances/missing").status());
        assertEquals(
                false,
                api.get("/sleeper/instances/missing").body().path("success").asBoolean());
        WorkflowsClient.Answer badId = api.post("/sleeper/instances", "{\"instance_id\":\"-bad id\"}");
        assertEquals(400, badId.status());
        assertTrue(badId.firstError().contains("'-bad id' is not an instance id"), badId.firstError());
        assertEquals(400, api.post("/sleeper/instances", "not json").status());
        api.post("/sleeper/instances", "{\"instance_id\":\"r-1\"}");
        await().atMost(DEADLINE).until(() -> api.status("sleeper", "r-1").equals("complete"));
        WorkflowsClient.Answer badStatus = api.patch("/sleeper/instances/r-1/status", "{\"status\":\"explode\"}");
        assertEquals(400, badStatus.status());
        assertTrue(badStatus.firstError().contains("pause, resume, terminate or restart"), badStatus.firstError());
        assertEquals(401, api.post("/locked/instances", "{}").status());
        assertEquals(
                403,
                new WorkflowsClient(running.stack(), "sluice", "wrong")
                        .post("/locked/instances", "{}")
                        .status());
        WorkflowsClient locked = new WorkflowsClient(running.stack(), "sluice", "s3cret");
        assertEquals(
                200,
                locked.post("/locked/instances", "{\"instance_id\":\"l-1\"}").status());
        await().atMost(DEADLINE).until(() -> locked.status("locked", "l-1").equals("complete"));
    }

    @Test
    void metricsCountInstancesByStatusStepAttemptsAndFailures() {
        api.post("/flaky/instances", "{\"instance_id\":\"m-1\",\"params\":{\"failures\":1}}");
        await().atMost(DEADLINE).until(() -> api.status("flaky", "m-1").equals("complete"));
        await().atMost(DEADLINE).untilAsserted(() -> {
            String text = TestStack.get(running.stack(), "/metrics").body();
            assertTrue(metric(text, "sluice_workflow_instances{status=\"complete\",workflow=\"flaky\"}") >= 1, text);
            assertTrue(metric(text, "sluice_workflow_instances_started_total{workflow=\"flaky\"}") >= 1, text);
            assertTrue(
                    metric(text, "sluice_workflow_instances_finished_total{status=\"complete\",workflow=\"flaky\"}")
                            >= 1,
                    text);
            assertTrue(metric(text, "sluice_workflow_step_attempts_total{workflow=\"flaky\"}") >= 2, text);
            assertTrue(metric(text, "sluice_workflow_step_failures_total{workflow=\"flaky\"}") >= 1, text);
            assertTrue(metric(text, "sluice_workflow_step_duration_seconds_count{workflow=\"flaky\"}") >= 2, text);
            assertTrue(metric(text, "sluice_workflow_instance_duration_seconds_count{workflow=\"flaky\"}") >= 1, text);
            assertTrue(metric(text, "sluice_workflow_timers_pending") >= 1, "finished instances keep an expiry timer");
        });
        // The gauge follows every transition: no instance is counted under two statuses.
        String text = TestStack.get(running.stack(), "/metrics").body();
        double all = 0;
        for (String status : List.of(
                "queued", "running", "paused", "waiting", "waitingForPause", "errored", "terminated", "complete")) {
            all += metric(text, "sluice_workflow_instances{status=\"" + status + "\",workflow=\"flaky\"}");
        }
        assertEquals(api.get("/flaky/instances?per_page=100").result().size(), (int) all);
    }

    /** The value of one Prometheus sample, or -1 when absent. */
    private static double metric(String text, String sample) {
        for (String line : text.lines().toList()) {
            if (line.startsWith(sample + " ")) {
                return Double.parseDouble(line.substring(sample.length() + 1).trim());
            }
        }
        return -1;
    }

    private static List<String> stepNames(JsonNode instance) {
        List<String> out = new ArrayList<>();
        instance.path("steps")
                .forEach(s ->
                        out.add(s.path("type").asText() + ":" + s.path("name").asText()));
        return out;
    }

    private static String sortedOutput(JsonNode output) {
        return "{\"orderId\":" + output.get("orderId") + ",\"status\":" + output.get("status") + ",\"by\":"
                + output.get("by") + "}";
    }
}

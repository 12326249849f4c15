package dev.sluice.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.sink.CloseReason;
import dev.sluice.sink.WrittenObject;
import dev.sluice.wire.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/** A batch closes on each of its limits, and every object written is announced on sluice.notifications. */
class SinkBatchingTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dataDir;

    private static List<String> records(String prefix, int count, String extra) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add("{\"id\":\"" + prefix + i + "\"" + extra + "}");
        }
        return out;
    }

    private static List<WrittenObject> of(List<WrittenObject> written, String pipeline) {
        return written.stream().filter(w -> w.pipeline().equals(pipeline)).toList();
    }

    @Test
    void batchesCloseOnRecordsBytesIdleTimeOpenBatchLimitAndShutdown() throws Exception {
        List<WrittenObject> written = new CopyOnWriteArrayList<>();
        DevStack stack = DevStack.start(TestStack.config("""
                pipelines:
                  - name: byrecords
                    partitions: 1
                    sink: { batch: { maxRecords: 100, maxDuration: 1h } }
                  - name: bybytes
                    partitions: 1
                    sink: { batch: { maxBytes: 2KB, maxDuration: 1h } }
                  - name: idle
                    partitions: 1
                    sink: { batch: { maxDuration: 1s } }
                  - name: open
                    partitions: 1
                    sink: { partitionBy: [k], maxOpenBatches: 2, batch: { maxDuration: 1h } }
                """), TestStack.freePorts(dataDir), written::add);
        Instant started = Instant.now();
        try (S3Client s3 = TestStack.s3(stack)) {
            TestStack.postAcked(stack, "byrecords", records("r", 250, ""));
            TestStack.postAcked(stack, "bybytes", records("b", 60, ",\"pad\":\"" + "x".repeat(80) + "\""));
            TestStack.postAcked(stack, "idle", records("i", 3, ""));
            for (int k = 1; k <= 3; k++) {
                TestStack.postAcked(stack, "open", records("o" + k + "-", 5, ",\"k\":" + k));
            }

            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> of(written, "byrecords").size() == 2
                            && of(written, "bybytes").size() >= 2
                            && of(written, "idle").size() == 1
                            && of(written, "open").size() == 1);

            assertEquals(
                    List.of(100L, 100L),
                    of(written, "byrecords").stream()
                            .map(WrittenObject::records)
                            .toList());
            assertTrue(of(written, "byrecords").stream().allMatch(w -> w.reason() == CloseReason.RECORDS));
            // ~100-byte records: a batch closes on the record that takes it to 2 KB.
            for (WrittenObject w : of(written, "bybytes")) {
                assertEquals(CloseReason.BYTES, w.reason(), w.toString());
                assertTrue(w.records() >= 19 && w.records() <= 21, w.toString());
            }
            WrittenObject idle = of(written, "idle").get(0);
            assertEquals(CloseReason.DURATION, idle.reason());
            assertEquals(3, idle.records());
            WrittenObject evicted = of(written, "open").get(0);
            assertEquals(CloseReason.OPEN_BATCHES, evicted.reason());
            assertTrue(evicted.key().startsWith("open/k=1/"), evicted.key());

            // One notification per object so far, in the shape of an R2 event notification.
            Map<String, JsonNode> notifications = TestStack.committedValues(stack, Topics.NOTIFICATIONS).stream()
                    .map(v -> {
                        try {
                            return JSON.readTree(v);
                        } catch (Exception e) {
                            throw new IllegalStateException(v, e);
                        }
                    })
                    .collect(Collectors.toMap(n -> n.at("/object/key").asText(), n -> n));
            assertEquals(written.stream().map(WrittenObject::key).collect(Collectors.toSet()), notifications.keySet());
            Map<String, S3Object> objects = new java.util.HashMap<>();
            for (String prefix : List.of("byrecords", "bybytes", "idle", "open")) {
                TestStack.objects(s3, "sluice", prefix).forEach(o -> objects.put(o.key(), o));
            }
            for (WrittenObject w : written) {
                JsonNode n = notifications.get(w.key());
                S3Object object = objects.get(w.key());
                assertEquals("sluice", n.get("account").asText());
                assertEquals("sluice", n.get("bucket").asText());
                assertEquals("PutObject", n.get("action").asText());
                assertEquals(w.pipeline(), n.get("pipeline").asText());
                assertEquals("ndjson", n.get("format").asText());
                assertEquals(w.records(), n.get("records").asLong());
                assertEquals(object.size().longValue(), n.at("/object/size").asLong());
                assertEquals(
                        object.eTag().replace("\"", ""), n.at("/object/eTag").asText());
                Instant min = Instant.parse(n.get("minEventTime").asText());
                Instant max = Instant.parse(n.get("maxEventTime").asText());
                assertTrue(!min.isBefore(started.minusSeconds(1)) && !max.isBefore(min), n.toString());
                assertTrue(!Instant.parse(n.get("eventTime").asText()).isBefore(max), n.toString());
            }
        } finally {
            stack.close();
        }
        // Stopping writes what was still open: 50 of byrecords, the rest of bybytes, k=2 and k=3 of open.
        assertEquals(
                List.of(CloseReason.SHUTDOWN),
                of(written, "byrecords").stream()
                        .skip(2)
                        .map(WrittenObject::reason)
                        .toList());
        assertEquals(
                250,
                of(written, "byrecords").stream()
                        .mapToLong(WrittenObject::records)
                        .sum());
        assertEquals(
                60,
                of(written, "bybytes").stream()
                        .mapToLong(WrittenObject::records)
                        .sum());
        assertEquals(
                15,
                of(written, "open").stream().mapToLong(WrittenObject::records).sum());
        assertEquals(3, of(written, "open").size());
    }
}

package dev.sluice.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.wire.SluiceHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * A backfill through {@code sluice backfill}: one pipeline's objects re-ingested into another, every record once,
 * and once only however often it runs; bad sources refused up front.
 */
class BackfillTest {
    private static final Duration DEADLINE = Duration.ofMinutes(1);

    @RegisterExtension
    static final StackExtension running = new StackExtension("""
                        pipelines:
                          - name: events
                            partitions: 2
                            sink: { batch: { maxDuration: 1s } }
                          - name: copy
                            partitions: 2
                            sink: { batch: { maxDuration: 1s } }
                        """);

    @Test
    void objectsAreReingestedOnceEachRecordOnce() {
        DevStack stack = running.stack();
        List<String> ids = new ArrayList<>();
        for (int request = 0; request < 4; request++) {
            List<String> records = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                String id = "r" + request + "-" + i;
                ids.add(id);
                records.add("{\"id\":\"" + id + "\"}");
            }
            TestStack.postAcked(stack, "events", records);
        }
        await().atMost(DEADLINE)
                .until(() -> ExactlyOnce.idCounts(TestStack.allRecords(running.s3(), "sluice", "events"))
                        .keySet()
                        .containsAll(ids));
        String url = stack.httpBaseUrl();

        CliRun first = CliRun.sluice("backfill", "copy", "--from", "s3://sluice/events/", "--url", url);
        assertEquals(0, first.exit(), first.err() + first.out());
        String done = first.out().strip();
        assertTrue(done.endsWith(": done"), done);
        assertTrue(done.contains(", 40 records, 0 skipped"), done);

        await().atMost(DEADLINE)
                .until(() ->
                        TestStack.allRecords(running.s3(), "sluice", "copy").size() >= ids.size());
        ExactlyOnce.assertEveryIdOnce(ids, TestStack.allRecords(running.s3(), "sluice", "copy"));
        List<ConsumerRecord<byte[], byte[]>> input = TestStack.readCommitted(stack, "copy");
        assertEquals(40, input.size());
        assertEquals("backfill", TestStack.header(input.get(0), SluiceHeaders.SOURCE));
        assertTrue(TestStack.header(input.get(0), SluiceHeaders.BACKFILL_OF).startsWith("s3://sluice/events/"));

        // Again: every object is marked done, nothing is re-ingested.
        CliRun again = CliRun.sluice("backfill", "copy", "--from", "s3://sluice/events/", "--url", url, "--json");
        assertEquals(0, again.exit(), again.err());
        assertTrue(again.out().contains("\"records\":0"), again.out());
        assertTrue(again.out().contains("\"state\":\"done\""), again.out());
        assertEquals(40, TestStack.readCommitted(stack, "copy").size());

        // Nothing written since a minute from now.
        CliRun none = CliRun.sluice(
                "backfill", "copy", "--from", "s3://sluice/events/", "--since", "2099-01-01T00:00:00Z", "--url", url);
        assertEquals(0, none.exit(), none.err());
        assertTrue(none.out().contains("0/0 objects"), none.out());

        // An archive object larger than a transaction's chunk: all its lines, once each.
        StringBuilder archive = new StringBuilder();
        for (int i = 0; i < 12_001; i++) {
            archive.append("{\"id\":\"a").append(i).append("\"}\n");
        }
        running.s3()
                .putObject(
                        PutObjectRequest.builder()
                                .bucket("sluice")
                                .key("archive/2026.ndjson")
                                .build(),
                        RequestBody.fromString(archive.toString()));
        CliRun big = CliRun.sluice("backfill", "copy", "--from", "s3://sluice/archive/", "--url", url);
        assertEquals(0, big.exit(), big.err());
        assertTrue(big.out().contains("1/1 objects, 12,001 records"), big.out());
        List<String> copied = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : TestStack.readCommitted(stack, "copy")) {
            copied.add(new String(r.value(), StandardCharsets.UTF_8));
        }
        assertEquals(40 + 12_001, copied.size());
        assertEquals(
                12_001,
                copied.stream()
                        .filter(v -> v.startsWith("{\"id\":\"a"))
                        .distinct()
                        .count());

        CliRun notS3 = CliRun.sluice("backfill", "copy", "--from", "sluice/events", "--url", url);
        assertEquals(1, notS3.exit());
        assertTrue(notS3.err().contains("400 bad_request: from must be s3://bucket/prefix"), notS3.err());
        CliRun noBucket = CliRun.sluice("backfill", "copy", "--from", "s3://no-such-bucket/", "--url", url);
        assertEquals(1, noBucket.exit());
        assertTrue(noBucket.err().contains("cannot list s3://no-such-bucket/"), noBucket.err());
    }
}

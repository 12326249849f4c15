package dev.sluice.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.config.IdempotencyConfig;
import dev.sluice.config.PipelineConfig;
import dev.sluice.wire.SluiceHeaders;
import dev.sluice.wire.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The processor's half of {@code Idempotency-Key}: which records of which request go on, and for how long. */
class RetriedRequestsTest {
    private static final Instant T0 = Instant.parse("2026-11-28T12:00:00Z");

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> in;
    private TestOutputTopic<byte[], byte[]> out;
    private TestOutputTopic<byte[], byte[]> dlq;

    @BeforeEach
    void start() {
        PipelineConfig pipeline = new PipelineConfig(
                "events", 1, null, null, null, null, new IdempotencyConfig(Duration.ofHours(1)), List.of(), null);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        driver = new TopologyTestDriver(
                PipelineTopology.build(
                        pipeline,
                        List.of(),
                        TransformJars.classpathOnly(getClass().getClassLoader()),
                        registry),
                props);
        in = driver.createInputTopic(Topics.input("events"), new ByteArraySerializer(), new ByteArraySerializer());
        out = driver.createOutputTopic(
                Topics.output("events"), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        dlq = driver.createOutputTopic(
                Topics.deadLetters("events"), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    @Test
    void theFirstRequestWithAKeyGoesOnAndItsRetriesAreDroppedEvenInterleaved() {
        send("a1", "k", "r1", "d1", T0);
        send("b1", "k", "r2", "d1", T0.plusMillis(5)); // the retry, through another ingest process
        send("a2", "k", "r1", "d1", T0.plusMillis(1)); // the first request's next record
        send("b2", "k", "r2", "d1", T0.plusMillis(6));
        send("c1", "other", "r3", "d1", T0.plusMillis(7));

        assertEquals(List.of("a1", "a2", "c1"), ids(out));
        assertTrue(dlq.isEmpty());
        assertEquals(
                2.0,
                registry.get("sluice.idempotency.retries.dropped").counter().count());
    }

    @Test
    void recordsWithoutAKeyOrRequestIdAndReplayedRecordsAlwaysGoOn() {
        in.pipeInput(new TestRecord<>(null, record("plain"), T0));
        in.pipeInput(new TestRecord<>(null, record("plain"), T0));
        send("a", "k", "r1", "d1", T0);
        Headers noRequest = new RecordHeaders().add(SluiceHeaders.IDEMPOTENCY_KEY, utf8("k"));
        in.pipeInput(new TestRecord<>(null, record("producer"), noRequest, T0));
        Headers replayed = headers("k", "r9", "d1").add(SluiceHeaders.REPLAY_OF, utf8("events.dlq/0@3"));
        in.pipeInput(new TestRecord<>(null, record("replayed"), replayed, T0));

        assertEquals(List.of("plain", "plain", "a", "producer", "replayed"), ids(out));
    }

    @Test
    void aKeyReusedForAnotherBodyIsADeadLetterNamingTheFirstRequest() {
        send("a", "k", "r1", "d1", T0);
        send("x", "k", "r2", "d2", T0.plusSeconds(1));

        assertEquals(List.of("a"), ids(out));
        List<TestRecord<byte[], byte[]>> dead = dlq.readRecordsToList();
        assertEquals(1, dead.size());
        assertEquals("idempotency", header(dead.get(0), SluiceHeaders.ERROR_STAGE));
        assertTrue(header(dead.get(0), SluiceHeaders.ERROR_MESSAGE).contains("request r1"));
    }

    @Test
    void aKeyIsForgottenOnceTheWindowHasPassed() {
        send("a", "k", "r1", "d1", T0);
        send("b", "k", "r2", "d1", T0.plus(Duration.ofMinutes(59)));
        send("c", "k", "r3", "d1", T0.plus(Duration.ofMinutes(61)));

        assertEquals(List.of("a", "c"), ids(out));
    }

    private void send(String id, String key, String request, String digest, Instant at) {
        in.pipeInput(new TestRecord<>(null, record(id), headers(key, request, digest), at));
    }

    private static Headers headers(String key, String request, String digest) {
        return new RecordHeaders()
                .add(SluiceHeaders.REQUEST_ID, utf8(request))
                .add(SluiceHeaders.IDEMPOTENCY_KEY, utf8(key))
                .add(SluiceHeaders.IDEMPOTENCY_DIGEST, utf8(digest));
    }

    private static byte[] record(String id) {
        return utf8("{\"id\":\"" + id + "\"}");
    }

    private static List<String> ids(TestOutputTopic<byte[], byte[]> topic) {
        return topic.readValuesToList().stream()
                .map(v -> new String(v, StandardCharsets.UTF_8))
                .map(v -> v.substring(7, v.length() - 2))
                .toList();
    }

    private static String header(TestRecord<byte[], byte[]> record, String name) {
        Header h = record.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}

package dev.sluice.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.config.ConfigException;
import dev.sluice.config.ConfigLoader;
import dev.sluice.config.PipelineConfig;
import dev.sluice.config.TableConfig;
import dev.sluice.config.TransformConfig;
import dev.sluice.transforms.Emitter;
import dev.sluice.transforms.Record;
import dev.sluice.transforms.RecordMetadata;
import dev.sluice.transforms.Transform;
import dev.sluice.transforms.TransformContext;
import dev.sluice.wire.SluiceHeaders;
import dev.sluice.wire.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

class PipelineTopologyTest {

    /** Drops records without a user, tags the rest with the configured value, splits on "copies", throws on "boom". */
    public static final class Tag implements Transform {
        private String tag;

        @Override
        public void open(TransformContext context) {
            tag = context.pipeline() + "/" + context.label() + "/"
                    + context.config().get("tag");
        }

        @Override
        public void apply(Record record, Emitter out) {
            if (record.has("boom")) {
                throw new IllegalStateException("boom on " + record.getString("id"));
            }
            if (!record.has("user")) {
                return;
            }
            int copies = record.has("copies") ? record.get("copies").asInt() : 1;
            for (int i = 0; i < copies; i++) {
                out.emit(record.copy().set("tag", tag));
            }
        }
    }

    private static final PipelineConfig PIPELINE = new PipelineConfig(
            "events", 1, List.of(new TransformConfig("tagger", Tag.class.getName(), Map.of("tag", "x"))), null);

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private org.apache.kafka.streams.Topology build(PipelineConfig pipeline) {
        return build(pipeline, List.of());
    }

    private org.apache.kafka.streams.Topology build(PipelineConfig pipeline, List<TableConfig> tables) {
        return PipelineTopology.build(
                pipeline, tables, TransformJars.classpathOnly(getClass().getClassLoader()), registry);
    }

    private static Properties props() {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        return props;
    }

    private static List<String> values(TestOutputTopic<byte[], byte[]> topic) {
        return topic.readValuesToList().stream()
                .map(v -> new String(v, StandardCharsets.UTF_8))
                .toList();
    }

    private static String header(TestRecord<byte[], byte[]> record, String name) {
        Header h = record.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    @Test
    void runsTransformsAndSendsFailuresToTheDeadLetterTopic() {
        Properties props = props();
        try (TopologyTestDriver driver = new TopologyTestDriver(build(PIPELINE), props)) {
            TestInputTopic<byte[], byte[]> in =
                    driver.createInputTopic("events", new ByteArraySerializer(), new ByteArraySerializer());
            TestOutputTopic<byte[], byte[]> out = driver.createOutputTopic(
                    Topics.output("events"), new ByteArrayDeserializer(), new ByteArrayDeserializer());
            TestOutputTopic<byte[], byte[]> dlq = driver.createOutputTopic(
                    Topics.deadLetters("events"), new ByteArrayDeserializer(), new ByteArrayDeserializer());

            in.pipeInput(utf8("{\"id\":\"1\",\"user\":\"u\"}"));
            in.pipeInput(utf8("{\"id\":\"2\"}"));
            in.pipeInput(utf8("{\"id\":\"3\",\"user\":\"u\",\"copies\":2}"));
            in.pipeInput(utf8("not json"));
            in.pipeInput(utf8("{\"id\":\"5\",\"boom\":true}"));
            in.pipeInput(utf8("{\"id\":\"6\",\"user\":\"v\"}"));

            List<String> values = out.readValuesToList().stream()
                    .map(v -> new String(v, StandardCharsets.UTF_8))
                    .toList();
            assertEquals(
                    List.of(
                            "{\"id\":\"1\",\"user\":\"u\",\"tag\":\"events/tagger/x\"}",
                            "{\"id\":\"3\",\"user\":\"u\",\"copies\":2,\"tag\":\"events/tagger/x\"}",
                            "{\"id\":\"3\",\"user\":\"u\",\"copies\":2,\"tag\":\"events/tagger/x\"}",
                            "{\"id\":\"6\",\"user\":\"v\",\"tag\":\"events/tagger/x\"}"),
                    values);

            List<TestRecord<byte[], byte[]>> dead = dlq.readRecordsToList();
            assertEquals(2, dead.size());
            assertEquals("not json", new String(dead.get(0).value(), StandardCharsets.UTF_8));
            assertEquals("parse", header(dead.get(0), SluiceHeaders.ERROR_STAGE));
            assertEquals("transform", header(dead.get(1), SluiceHeaders.ERROR_STAGE));
            assertEquals("tagger", header(dead.get(1), SluiceHeaders.ERROR_TRANSFORM));
            assertEquals(IllegalStateException.class.getName(), header(dead.get(1), SluiceHeaders.ERROR_EXCEPTION));
            assertEquals("boom on 5", header(dead.get(1), SluiceHeaders.ERROR_MESSAGE));
        }
    }

    @Test
    void recordsWithoutAPartitionFieldGoToTheDeadLetterTopicWhenConfigured() {
        PipelineConfig pipeline = new ConfigLoader(Map.of())
                .parse("pipelines: [{name: events, sink: {partitionBy: [merchantId], missingPartitionField: dlq}}]")
                .pipelines()
                .get(0);
        Properties props = props();
        try (TopologyTestDriver driver = new TopologyTestDriver(build(pipeline), props)) {
            TestInputTopic<byte[], byte[]> in =
                    driver.createInputTopic("events", new ByteArraySerializer(), new ByteArraySerializer());
            TestOutputTopic<byte[], byte[]> out = driver.createOutputTopic(
                    Topics.output("events"), new ByteArrayDeserializer(), new ByteArrayDeserializer());
            TestOutputTopic<byte[], byte[]> dlq = driver.createOutputTopic(
                    Topics.deadLetters("events"), new ByteArrayDeserializer(), new ByteArrayDeserializer());
            in.pipeInput(utf8("{\"merchantId\":7}"));
            in.pipeInput(utf8("{\"merchantId\":null}"));
            in.pipeInput(utf8("{\"other\":1}"));
            assertEquals(
                    List.of("{\"merchantId\":7}"),
                    out.readValuesToList().stream()
                            .map(v -> new String(v, StandardCharsets.UTF_8))
                            .toList());
            List<TestRecord<byte[], byte[]>> dead = dlq.readRecordsToList();
            assertEquals(2, dead.size());
            assertEquals("partition", header(dead.get(0), SluiceHeaders.ERROR_STAGE));
            assertTrue(header(dead.get(1), SluiceHeaders.ERROR_MESSAGE).contains("'merchantId'"));
        }
    }

    @Test
    void unknownOrWrongClassesFailAtStartNamingTheStep() {
        PipelineConfig missing = new PipelineConfig(
                "events", 1, List.of(new TransformConfig("nope", "com.example.Missing", Map.of())), null);
        ConfigException e = assertThrows(ConfigException.class, () -> build(missing));
        assertTrue(
                e.getMessage().contains("events")
                        && e.getMessage().contains("nope")
                        && e.getMessage().contains("com.example.Missing"),
                e.getMessage());

        PipelineConfig wrong = new PipelineConfig(
                "events", 1, List.of(new TransformConfig("str", String.class.getName(), Map.of())), null);
        assertTrue(assertThrows(ConfigException.class, () -> build(wrong))
                .getMessage()
                .contains("does not implement"));
    }

    /** Throws on records with "bad"; copies its input's metadata and a lookup into the output. */
    public static final class Inspect implements Transform {
        private TransformContext context;

        @Override
        public void open(TransformContext context) {
            this.context = context;
        }

        @Override
        public void apply(Record record, Emitter out) {
            if (record.has("bad")) {
                throw new IllegalArgumentException("bad record " + record.getString("id"));
            }
            RecordMetadata m = record.metadata();
            record.set(
                    "meta",
                    m.pipeline() + "|" + m.source() + "|" + m.ingestTime().toEpochMilli() + "|" + m.partition() + "|"
                            + m.offset());
            if (record.has("customer")) {
                context.lookup("customers", record.getString("customer"))
                        .ifPresent(c -> record.set("name", c.get("name")));
            }
            out.emit(record);
        }
    }

    private static PipelineConfig inspecting(String onError) {
        return new ConfigLoader(Map.of())
                .parse("pipelines: [{name: events, transforms: [{label: inspect, class: " + Inspect.class.getName()
                        + ", onError: " + onError + "}]}]")
                .pipelines()
                .get(0);
    }

    @Test
    void skipDropsAndCountsFailFailsAndTransformsSeeMetadata() {
        try (TopologyTestDriver driver = new TopologyTestDriver(build(inspecting("skip")), props())) {
            TestInputTopic<byte[], byte[]> in =
                    driver.createInputTopic("events", new ByteArraySerializer(), new ByteArraySerializer());
            TestOutputTopic<byte[], byte[]> out = driver.createOutputTopic(
                    Topics.output("events"), new ByteArrayDeserializer(), new ByteArrayDeserializer());
            TestOutputTopic<byte[], byte[]> dlq = driver.createOutputTopic(
                    Topics.deadLetters("events"), new ByteArrayDeserializer(), new ByteArrayDeserializer());
            TestRecord<byte[], byte[]> viaHttp = new TestRecord<>(
                    null,
                    utf8("{\"id\":\"1\"}"),
                    new RecordHeaders()
                            .add(SluiceHeaders.SOURCE, utf8("http"))
                            .add(SluiceHeaders.INGEST_TIME, utf8("1234")),
                    Instant.ofEpochMilli(99));
            in.pipeInput(viaHttp);
            in.pipeInput(utf8("{\"id\":\"2\",\"bad\":true}"));
            in.pipeInput(new TestRecord<>(null, utf8("{\"id\":\"3\"}"), Instant.ofEpochMilli(5000)));
            assertEquals(
                    List.of(
                            "{\"id\":\"1\",\"meta\":\"events|http|1234|0|0\"}",
                            "{\"id\":\"3\",\"meta\":\"events|kafka|5000|0|2\"}"),
                    values(out));
            assertTrue(dlq.isEmpty(), "skip sends nothing to the DLQ");
        }
        assertEquals(
                1.0,
                registry.get("sluice.transform.errors")
                        .tags("transform", "inspect", "on_error", "skip")
                        .counter()
                        .count());
        assertEquals(
                3.0,
                registry.get("sluice.transform.records.in")
                        .tags("transform", "inspect")
                        .counter()
                        .count());
        assertEquals(
                2.0,
                registry.get("sluice.transform.records.out")
                        .tags("transform", "inspect")
                        .counter()
                        .count());
        assertEquals(
                3,
                registry.get("sluice.transform.duration")
                        .tags("transform", "inspect")
                        .timer()
                        .count());

        try (TopologyTestDriver driver = new TopologyTestDriver(build(inspecting("fail")), props())) {
            TestInputTopic<byte[], byte[]> in =
                    driver.createInputTopic("events", new ByteArraySerializer(), new ByteArraySerializer());
            in.pipeInput(utf8("{\"id\":\"1\"}"));
            RuntimeException e =
                    assertThrows(RuntimeException.class, () -> in.pipeInput(utf8("{\"id\":\"2\",\"bad\":true}")));
            String message = e.getMessage() + " "
                    + (e.getCause() == null ? "" : e.getCause().getMessage());
            assertTrue(message.contains("transform 'inspect' (onError: fail)"), message);
        }
    }

    @Test
    void lookupsSeeTheTableAsItIsUpdated() {
        TableConfig customers = new TableConfig("customers", null, null);
        try (TopologyTestDriver driver =
                new TopologyTestDriver(build(inspecting("dlq"), List.of(customers)), props())) {
            TestInputTopic<byte[], byte[]> in =
                    driver.createInputTopic("events", new ByteArraySerializer(), new ByteArraySerializer());
            TestInputTopic<String, byte[]> table = driver.createInputTopic(
                    Topics.table("customers"), new StringSerializer(), new ByteArraySerializer());
            TestOutputTopic<byte[], byte[]> out = driver.createOutputTopic(
                    Topics.output("events"), new ByteArrayDeserializer(), new ByteArrayDeserializer());
            in.pipeInput(utf8("{\"id\":\"1\",\"customer\":\"c7\"}"));
            table.pipeInput("c7", utf8("{\"name\":\"Ada\"}"));
            in.pipeInput(utf8("{\"id\":\"2\",\"customer\":\"c7\"}"));
            table.pipeInput("c7", utf8("{\"name\":\"Grace\"}"));
            in.pipeInput(utf8("{\"id\":\"3\",\"customer\":\"c7\"}"));
            table.pipeInput("c7", (byte[]) null);
            in.pipeInput(utf8("{\"id\":\"4\",\"customer\":\"c7\"}"));
            assertEquals(
                    Arrays.asList(null, "Ada", "Grace", null),
                    values(out).stream()
                            .map(v -> Record.parse(v).getString("name"))
                            .toList());
        }
    }

    /** Reads a field, emits its input as it is. */
    public static final class PassThrough implements Transform {
        @Override
        public void apply(Record record, Emitter out) {
            if (record.getString("id") != null && record.has("id")) {
                out.emit(record);
            }
        }
    }

    @Test
    void aRecordNoTransformChangedKeepsItsOriginalBytes() {
        PipelineConfig pipeline = new ConfigLoader(Map.of())
                .parse("pipelines: [{name: events, transforms: [{label: pass, class: " + PassThrough.class.getName()
                        + "}, {label: tag, class: " + Tag.class.getName() + "}]}]")
                .pipelines()
                .get(0);
        PipelineConfig passOnly = new ConfigLoader(Map.of())
                .parse("pipelines: [{name: events, transforms: [{label: pass, class: " + PassThrough.class.getName()
                        + "}]}]")
                .pipelines()
                .get(0);
        String spaced = "{ \"id\" : \"1\",  \"user\": \"u\" }";
        try (TopologyTestDriver driver = new TopologyTestDriver(build(passOnly), props())) {
            driver.createInputTopic("events", new ByteArraySerializer(), new ByteArraySerializer())
                    .pipeInput(utf8(spaced));
            assertEquals(
                    List.of(spaced),
                    values(driver.createOutputTopic(
                            Topics.output("events"), new ByteArrayDeserializer(), new ByteArrayDeserializer())),
                    "unchanged: the producer's bytes, whitespace and all");
        }
        try (TopologyTestDriver driver = new TopologyTestDriver(build(pipeline), props())) {
            driver.createInputTopic("events", new ByteArraySerializer(), new ByteArraySerializer())
                    .pipeInput(utf8(spaced));
            assertEquals(
                    List.of("{\"id\":\"1\",\"user\":\"u\",\"tag\":\"events/tag/null\"}"),
                    values(driver.createOutputTopic(
                            Topics.output("events"), new ByteArrayDeserializer(), new ByteArrayDeserializer())),
                    "changed: serialised anew");
        }
    }
}

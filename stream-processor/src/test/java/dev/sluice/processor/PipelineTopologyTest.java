package dev.sluice.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.config.ConfigException;
import dev.sluice.config.ConfigLoader;
import dev.sluice.config.PipelineConfig;
import dev.sluice.config.TransformConfig;
import dev.sluice.transforms.Emitter;
import dev.sluice.transforms.Record;
import dev.sluice.transforms.Transform;
import dev.sluice.transforms.TransformContext;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
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
            tag = context.pipeline() + "/" + context.label() + "/" + context.config().get("tag");
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

    private static final PipelineConfig PIPELINE = new PipelineConfig("events", 1,
            List.of(new TransformConfig("tagger", Tag.class.getName(), Map.of("tag", "x"))), null);

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String header(TestRecord<byte[], byte[]> record, String name) {
        Header h = record.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    @Test
    void runsTransformsAndSendsFailuresToTheDeadLetterTopic() {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        try (TopologyTestDriver driver = new TopologyTestDriver(
                PipelineTopology.build(PIPELINE, getClass().getClassLoader()), props)) {
            TestInputTopic<byte[], byte[]> in = driver.createInputTopic("events", new ByteArraySerializer(), new ByteArraySerializer());
            TestOutputTopic<byte[], byte[]> out = driver.createOutputTopic("events.out", new ByteArrayDeserializer(), new ByteArrayDeserializer());
            TestOutputTopic<byte[], byte[]> dlq = driver.createOutputTopic("events.dlq", new ByteArrayDeserializer(), new ByteArrayDeserializer());

            in.pipeInput(utf8("{\"id\":\"1\",\"user\":\"u\"}"));
            in.pipeInput(utf8("{\"id\":\"2\"}"));
            in.pipeInput(utf8("{\"id\":\"3\",\"user\":\"u\",\"copies\":2}"));
            in.pipeInput(utf8("not json"));
            in.pipeInput(utf8("{\"id\":\"5\",\"boom\":true}"));
            in.pipeInput(utf8("{\"id\":\"6\",\"user\":\"v\"}"));

            List<String> values = out.readValuesToList().stream().map(v -> new String(v, StandardCharsets.UTF_8)).toList();
            assertEquals(List.of(
                    "{\"id\":\"1\",\"user\":\"u\",\"tag\":\"events/tagger/x\"}",
                    "{\"id\":\"3\",\"user\":\"u\",\"copies\":2,\"tag\":\"events/tagger/x\"}",
                    "{\"id\":\"3\",\"user\":\"u\",\"copies\":2,\"tag\":\"events/tagger/x\"}",
                    "{\"id\":\"6\",\"user\":\"v\",\"tag\":\"events/tagger/x\"}"), values);

            List<TestRecord<byte[], byte[]>> dead = dlq.readRecordsToList();
            assertEquals(2, dead.size());
            assertEquals("not json", new String(dead.get(0).value(), StandardCharsets.UTF_8));
            assertEquals("parse", header(dead.get(0), DeadLetterHeaders.STAGE));
            assertEquals("transform", header(dead.get(1), DeadLetterHeaders.STAGE));
            assertEquals("tagger", header(dead.get(1), DeadLetterHeaders.TRANSFORM));
            assertEquals(IllegalStateException.class.getName(), header(dead.get(1), DeadLetterHeaders.EXCEPTION));
            assertEquals("boom on 5", header(dead.get(1), DeadLetterHeaders.MESSAGE));
        }
    }

    @Test
    void recordsWithoutAPartitionFieldGoToTheDeadLetterTopicWhenConfigured() {
        PipelineConfig pipeline = new ConfigLoader(Map.of()).parse(
                "pipelines: [{name: events, sink: {partitionBy: [merchantId], missingPartitionField: dlq}}]").pipelines().get(0);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        try (TopologyTestDriver driver = new TopologyTestDriver(PipelineTopology.build(pipeline, getClass().getClassLoader()), props)) {
            TestInputTopic<byte[], byte[]> in = driver.createInputTopic("events", new ByteArraySerializer(), new ByteArraySerializer());
            TestOutputTopic<byte[], byte[]> out = driver.createOutputTopic("events.out", new ByteArrayDeserializer(), new ByteArrayDeserializer());
            TestOutputTopic<byte[], byte[]> dlq = driver.createOutputTopic("events.dlq", new ByteArrayDeserializer(), new ByteArrayDeserializer());
            in.pipeInput(utf8("{\"merchantId\":7}"));
            in.pipeInput(utf8("{\"merchantId\":null}"));
            in.pipeInput(utf8("{\"other\":1}"));
            assertEquals(List.of("{\"merchantId\":7}"),
                    out.readValuesToList().stream().map(v -> new String(v, StandardCharsets.UTF_8)).toList());
            List<TestRecord<byte[], byte[]>> dead = dlq.readRecordsToList();
            assertEquals(2, dead.size());
            assertEquals("partition", header(dead.get(0), DeadLetterHeaders.STAGE));
            assertTrue(header(dead.get(1), DeadLetterHeaders.MESSAGE).contains("'merchantId'"));
        }
    }

    @Test
    void unknownOrWrongClassesFailAtStartNamingTheStep() {
        PipelineConfig missing = new PipelineConfig("events", 1,
                List.of(new TransformConfig("nope", "com.example.Missing", Map.of())), null);
        ConfigException e = assertThrows(ConfigException.class,
                () -> PipelineTopology.build(missing, getClass().getClassLoader()));
        assertTrue(e.getMessage().contains("events") && e.getMessage().contains("nope")
                && e.getMessage().contains("com.example.Missing"), e.getMessage());

        PipelineConfig wrong = new PipelineConfig("events", 1,
                List.of(new TransformConfig("str", String.class.getName(), Map.of())), null);
        assertTrue(assertThrows(ConfigException.class, () -> PipelineTopology.build(wrong, getClass().getClassLoader()))
                .getMessage().contains("does not implement"));
    }
}

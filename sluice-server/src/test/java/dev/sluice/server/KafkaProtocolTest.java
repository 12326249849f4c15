package dev.sluice.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.wire.SluiceHeaders;
import dev.sluice.wire.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Existing Kafka producers write to topic {@code {pipeline}}: good records reach the output, bad ones
 * the dead-letter topic with the reason in headers, and neither stalls the pipeline. Produced with a
 * Java client and with kcat (librdkafka), a non-Java client.
 */
class KafkaProtocolTest {
    @RegisterExtension
    static final StackExtension running = new StackExtension("""
                        pipelines:
                          - name: orders
                            partitions: 2
                            schema:
                              fields:
                                - { name: id, type: string, required: true }
                            sink: { batch: { maxDuration: 1s } }
                          - name: viakcat
                            partitions: 1
                            sink: { batch: { maxDuration: 1s } }
                        """);

    @Test
    void javaProducerGoodRecordsLandAndBadOnesGoToTheDeadLetterTopic() throws Exception {
        Map<String, Object> props = running.stack().config().kafka().clientProperties();
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (String value :
                    new String[] {"{\"id\":\"j1\"}", "not json", "[1,2]", "{\"noid\":true}", "{\"id\":\"j2\",\"n\":1}"
                    }) {
                producer.send(new ProducerRecord<>("orders", value.getBytes(StandardCharsets.UTF_8)))
                        .get(30, TimeUnit.SECONDS);
            }
            producer.send(new ProducerRecord<>("orders", "k".getBytes(StandardCharsets.UTF_8), null))
                    .get(30, TimeUnit.SECONDS);
        }

        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500))
                .until(() ->
                        TestStack.allRecords(running.s3(), "sluice", "orders").size() >= 2);
        assertEquals(
                List.of("j1", "j2"),
                TestStack.allRecords(running.s3(), "sluice", "orders").stream()
                        .map(r -> r.get("id").asText())
                        .sorted()
                        .toList());

        await().atMost(Duration.ofSeconds(30))
                .until(() -> TestStack.readCommitted(running.stack(), Topics.deadLetters("orders"))
                                .size()
                        >= 4);
        Map<String, ConsumerRecord<byte[], byte[]>> dead =
                TestStack.readCommitted(running.stack(), Topics.deadLetters("orders")).stream()
                        .collect(Collectors.toMap(
                                r -> r.value() == null ? "<null>" : new String(r.value(), StandardCharsets.UTF_8),
                                r -> r));
        assertEquals(
                Map.of("not json", "parse", "[1,2]", "parse", "{\"noid\":true}", "schema", "<null>", "parse"),
                dead.entrySet().stream()
                        .collect(Collectors.toMap(
                                Map.Entry::getKey, e -> TestStack.header(e.getValue(), SluiceHeaders.ERROR_STAGE))));
        assertEquals(
                "field 'id' is required", TestStack.header(dead.get("{\"noid\":true}"), SluiceHeaders.ERROR_MESSAGE));
        assertTrue(
                TestStack.header(dead.get("[1,2]"), SluiceHeaders.ERROR_MESSAGE).contains("not a JSON object"));
    }

    @Test
    void kcatIsAProducerToo() throws Exception {
        boolean required = "1".equals(System.getenv("SLUICE_REQUIRE_KCAT"));
        boolean present = Files.isExecutable(Path.of("/usr/bin/kcat"));
        if (required) {
            assertTrue(present, "SLUICE_REQUIRE_KCAT=1 but /usr/bin/kcat is missing; .ci/run installs it with apt-get");
        }
        assumeTrue(
                present, "kcat is not installed (apt-get install kcat); .ci/run installs it, so CI always runs this");

        Path input = running.dataDir().resolve("kcat-input.ndjson");
        Files.writeString(input, "{\"id\":\"k1\",\"via\":\"kcat\"}\n{broken\n{\"id\":\"k2\",\"via\":\"kcat\"}\n");
        Process kcat = new ProcessBuilder(
                        "/usr/bin/kcat",
                        "-P",
                        "-b",
                        running.stack().config().kafka().bootstrapServers(),
                        "-t",
                        "viakcat",
                        "-X",
                        "acks=all",
                        "-l",
                        input.toString())
                .redirectErrorStream(true)
                .start();
        assertTrue(kcat.waitFor(60, TimeUnit.SECONDS), "kcat did not finish");
        String output = new String(kcat.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, kcat.exitValue(), output);

        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500))
                .until(() ->
                        TestStack.allRecords(running.s3(), "sluice", "viakcat").size() >= 2);
        List<JsonNode> landed = TestStack.allRecords(running.s3(), "sluice", "viakcat");
        assertEquals(
                List.of("k1", "k2"),
                landed.stream().map(r -> r.get("id").asText()).sorted().toList());
        await().atMost(Duration.ofSeconds(30))
                .until(() -> !TestStack.committedValues(running.stack(), Topics.deadLetters("viakcat"))
                        .isEmpty());
        assertEquals(List.of("{broken"), TestStack.committedValues(running.stack(), Topics.deadLetters("viakcat")));
    }
}

package dev.sluice.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The production shape of an exposed Kafka endpoint: a SASL/SCRAM listener. Sluice works through it
 * with {@code kafka.properties} from sluice.yaml; a client without valid credentials gets nothing in.
 */
class SaslScramTest {
    @TempDir
    Path dataDir;

    @Test
    void sluiceRunsOverScramAndStrangersAreRefused() throws Exception {
        int[] ports = TestStack.freePorts(3);
        int sasl = ports[2];
        try (EmbeddedKafka kafka =
                EmbeddedKafka.start(dataDir.resolve("kafka"), DevOptions.HOST, ports[0], ports[1], sasl)) {
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
                admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(
                                "sluice",
                                new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192),
                                "sluice-password")))
                        .all()
                        .get(30, TimeUnit.SECONDS);
            }
            String saslBootstrap = DevOptions.HOST + ":" + sasl;
            var config = TestStack.config("""
                    pipelines:
                      - name: secure
                        partitions: 1
                        sink: { batch: { maxDuration: 1s } }
                    kafka:
                      bootstrapServers: %s
                      properties:
                        security.protocol: SASL_PLAINTEXT
                        sasl.mechanism: SCRAM-SHA-512
                        sasl.jaas.config: org.apache.kafka.common.security.scram.ScramLoginModule required username="sluice" password="sluice-password";
                    """.formatted(saslBootstrap));
            try (DevStack stack = DevStack.start(config, new DevOptions(dataDir, 0, 0, 0, 0), written -> {});
                    S3Client s3 = TestStack.s3(stack)) {
                TestStack.postAcked(stack, "secure", List.of("{\"id\":\"over-scram\"}"));
                await().atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(500))
                        .until(() ->
                                !TestStack.allRecords(s3, "sluice", "secure").isEmpty());
                assertEquals(
                        "over-scram",
                        TestStack.allRecords(s3, "sluice", "secure")
                                .get(0)
                                .get("id")
                                .asText());
            }

            Map<String, Object> stranger = Map.of(
                    "bootstrap.servers",
                    saslBootstrap,
                    "security.protocol",
                    "SASL_PLAINTEXT",
                    "sasl.mechanism",
                    "SCRAM-SHA-512",
                    "sasl.jaas.config",
                    "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"sluice\" password=\"guess\";",
                    ProducerConfig.MAX_BLOCK_MS_CONFIG,
                    10_000);
            try (KafkaProducer<byte[], byte[]> producer =
                    new KafkaProducer<>(stranger, new ByteArraySerializer(), new ByteArraySerializer())) {
                ExecutionException refused = assertThrows(
                        ExecutionException.class,
                        () -> producer.send(new ProducerRecord<>(
                                        "secure", "{\"id\":\"intruder\"}".getBytes(StandardCharsets.UTF_8)))
                                .get(30, TimeUnit.SECONDS));
                assertInstanceOf(SaslAuthenticationException.class, refused.getCause());
            }
        }
    }
}

package dev.sluice.workflows.engine;

import dev.sluice.config.KafkaConfig;
import dev.sluice.wire.Topics;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Produces commands (REST calls, execution outcomes, schedule ticks) with acks=all and idempotence:
 * once a send completes the command is durable, and the owning task applies it exactly once.
 */
final class CommandSender implements AutoCloseable {
    private final KafkaProducer<String, byte[]> producer;

    CommandSender(KafkaConfig kafka, String clientId) {
        Map<String, Object> props = kafka.clientProperties();
        props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, WorkflowTopics.MAX_MESSAGE_BYTES);
        producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    /** Completes when the command is in Kafka. */
    CompletableFuture<Void> send(String instanceKey, Command command) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        // The callback completes done with the outcome of the send.
        Future<?> unused = producer.send(
                new ProducerRecord<>(Topics.WORKFLOW_COMMANDS, instanceKey, command.toBytes()), (metadata, error) -> {
                    if (error != null) {
                        done.completeExceptionally(error);
                    } else {
                        done.complete(null);
                    }
                });
        return done;
    }

    @Override
    public void close() {
        producer.close();
    }
}

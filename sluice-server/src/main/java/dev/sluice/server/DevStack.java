package dev.sluice.server;

import dev.sluice.config.KafkaConfig;
import dev.sluice.config.SluiceConfig;
import dev.sluice.sink.S3Clients;
import dev.sluice.sink.WrittenObject;
import java.util.Set;
import java.util.function.Consumer;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.CreateBucketRequest;

/**
 * Everything {@code sluice dev} runs in one JVM: an embedded Kafka broker and S3 server (unless
 * {@code sluice.yaml} names real ones) and a {@link SluiceServer} on top. Closing it stops the roles
 * first (flushing open batches), then the store and the broker.
 *
 * <pre>{@code
 * try (DevStack stack = DevStack.start(config, options, written -> {})) {
 *     // POST to http://127.0.0.1:{stack.httpPort()}/ingest/events
 * }
 * }</pre>
 */
public final class DevStack implements AutoCloseable {

    private final StartedParts started = new StartedParts();
    private final DevOptions options;
    private SluiceConfig config;
    private SluiceServer server;
    private EmbeddedS3 embeddedS3;
    private boolean embeddedStorage;

    private DevStack(DevOptions options) {
        this.options = options;
    }

    public static DevStack start(SluiceConfig config, DevOptions options, Consumer<WrittenObject> onWritten) {
        return start(config, options, Role.ALL, onWritten);
    }

    public static DevStack start(
            SluiceConfig config, DevOptions options, Set<Role> roles, Consumer<WrittenObject> onWritten) {
        DevStack stack = new DevStack(options);
        try {
            stack.startAll(config, roles, onWritten);
            return stack;
        } catch (RuntimeException e) {
            stack.close();
            throw e;
        }
    }

    private void startAll(SluiceConfig initial, Set<Role> roles, Consumer<WrittenObject> onWritten) {
        String host = DevOptions.HOST;
        boolean embeddedKafka = initial.kafka() == null;
        embeddedStorage = initial.storage() == null;
        Ports.requireFree(host, options.httpPort(), "HTTP ingest", "--http-port");
        if (embeddedKafka) {
            Ports.requireFree(host, options.kafkaPort(), "Kafka", "--kafka-port");
            Ports.requireFree(host, options.kafkaControllerPort(), "Kafka controller", "--kafka-controller-port");
        }
        if (embeddedStorage) {
            Ports.requireFree(host, options.s3Port(), "S3", "--s3-port");
        }

        config = initial;
        if (embeddedKafka) {
            EmbeddedKafka kafka = EmbeddedKafka.start(
                    options.dataDir().resolve("kafka"), host, options.kafkaPort(), options.kafkaControllerPort());
            started.add(kafka);
            config = config.withKafka(new KafkaConfig(kafka.bootstrapServers()));
        }
        if (embeddedStorage) {
            embeddedS3 = started.add(EmbeddedS3.start(options.dataDir().resolve("s3"), host, options.s3Port()));
            config = config.withStorage(embeddedS3.storage());
            createBuckets(config);
        }
        server = SluiceServer.start(config, roles, options.dataDir(), host, options.httpPort(), onWritten);
        started.add(server);
    }

    /** The embedded store starts empty; its buckets are folders we create on first start. */
    private static void createBuckets(SluiceConfig config) {
        try (S3Client s3 = S3Clients.create(config.storage())) {
            for (String bucket : config.pipelines().stream()
                    .map(p -> p.sink().bucket())
                    .distinct()
                    .toList()) {
                try {
                    s3.createBucket(CreateBucketRequest.builder().bucket(bucket).build());
                } catch (BucketAlreadyOwnedByYouException e) {
                    // created by an earlier start
                }
            }
        }
    }

    public SluiceConfig config() {
        return config;
    }

    public DevOptions options() {
        return options;
    }

    public int httpPort() {
        return server.httpPort();
    }

    public String httpBaseUrl() {
        return "http://" + DevOptions.HOST + ":" + httpPort();
    }

    public SluiceServer server() {
        return server;
    }

    /** The embedded object store, for tests that take it away (null when sluice.yaml names a real one). */
    EmbeddedS3 embeddedS3() {
        return embeddedS3;
    }

    boolean embeddedStorage() {
        return embeddedStorage;
    }

    @Override
    public void close() {
        started.close();
    }
}

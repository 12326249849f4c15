package dev.sluice.server;

import dev.sluice.config.PipelineConfig;
import dev.sluice.config.SluiceConfig;
import dev.sluice.ingest.HealthCheck;
import dev.sluice.ingest.IngestServer;
import dev.sluice.ingest.KafkaRecordProducer;
import dev.sluice.processor.PipelineProcessor;
import dev.sluice.sink.PipelineSink;
import dev.sluice.sink.S3Clients;
import dev.sluice.sink.WrittenObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadBucketRequest;

/**
 * Runs every role of every pipeline (ingest, processor, sink) against a Kafka cluster and an object
 * store given in the config. {@code sluice dev} puts an embedded broker and store under it; a
 * production deployment points it at real ones.
 *
 * <p>Start order follows the path of a record backwards (topics, sinks, processors, then ingest), so
 * nothing is accepted before it can flow; stop order is the reverse, so open batches are flushed
 * while Kafka and storage are still up.
 */
public final class SluiceServer implements AutoCloseable {

    private final SluiceConfig config;
    private final StartedParts started = new StartedParts();
    private final List<PipelineSink> sinks = new ArrayList<>();
    private final List<PipelineProcessor> processors = new ArrayList<>();
    private IngestServer ingest;

    private SluiceServer(SluiceConfig config) {
        this.config = config;
    }

    /**
     * Starts all roles.
     *
     * @param config    pipelines, plus {@code kafka} and {@code storage}, which must be set
     * @param dataDir   local state (Kafka Streams state stores)
     * @param host      address the HTTP server binds to
     * @param httpPort  HTTP port, 0 for any free one
     * @param onWritten told of every object written, after it is durable
     */
    public static SluiceServer start(SluiceConfig config, Path dataDir, String host, int httpPort,
                                     Consumer<WrittenObject> onWritten) {
        SluiceServer server = new SluiceServer(config);
        try {
            server.startRoles(dataDir, host, httpPort, onWritten);
            return server;
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    private void startRoles(Path dataDir, String host, int httpPort, Consumer<WrittenObject> onWritten) {
        String bootstrap = config.kafka().bootstrapServers();
        Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.CLIENT_ID_CONFIG, "sluice-admin"));
        started.add(admin);
        TopicSetup.ensureTopics(admin, config.pipelines());

        S3Client s3 = S3Clients.create(config.storage());
        started.add(s3);

        for (PipelineConfig pipeline : config.pipelines()) {
            PipelineSink sink = new PipelineSink(pipeline, bootstrap, s3, onWritten);
            sink.start();
            sinks.add(sink);
            started.add(sink);
        }
        ClassLoader transforms = Thread.currentThread().getContextClassLoader();
        for (PipelineConfig pipeline : config.pipelines()) {
            if (pipeline.hasTransforms()) {
                PipelineProcessor processor = new PipelineProcessor(pipeline, bootstrap,
                        dataDir.resolve("streams"), transforms);
                processor.start();
                processors.add(processor);
                started.add(processor);
            }
        }

        KafkaRecordProducer producer = new KafkaRecordProducer(bootstrap);
        started.add(producer);
        List<HealthCheck> checks = List.of(
                HealthCheck.of("kafka", () -> admin.describeCluster().nodes().get(3, TimeUnit.SECONDS)),
                HealthCheck.of("storage", () -> {
                    for (String bucket : config.pipelines().stream().map(p -> p.sink().bucket()).distinct().toList()) {
                        s3.headBucket(HeadBucketRequest.builder().bucket(bucket)
                                .overrideConfiguration(o -> o.apiCallTimeout(Duration.ofSeconds(3))).build());
                    }
                }));
        ingest = new IngestServer(config, producer, checks, host, httpPort).start();
        started.add(ingest);
    }

    /** The bound HTTP port. */
    public int httpPort() {
        return ingest.port();
    }

    public SluiceConfig config() {
        return config;
    }

    /** A role that stopped on its own (e.g. a sink that failed), or null when all run. */
    public String failedRole() {
        for (PipelineSink sink : sinks) {
            if (sink.failure() != null) {
                return "sink: " + sink.failure();
            }
        }
        for (PipelineProcessor processor : processors) {
            if (processor.state() == org.apache.kafka.streams.KafkaStreams.State.ERROR) {
                return "processor in state ERROR";
            }
        }
        return null;
    }

    @Override
    public void close() {
        started.close();
    }
}

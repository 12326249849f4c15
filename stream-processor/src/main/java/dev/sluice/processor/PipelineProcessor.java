package dev.sluice.processor;

import dev.sluice.config.PipelineConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka Streams application of one pipeline ({@code application.id = sluice-{pipeline}-processor}),
 * with exactly_once_v2: a record's outputs and its input offset commit together or not at all.
 */
public final class PipelineProcessor implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PipelineProcessor.class);

    private final PipelineConfig pipeline;
    private final KafkaStreams streams;

    public PipelineProcessor(PipelineConfig pipeline, String bootstrapServers, Path stateDir, ClassLoader transformLoader) {
        this.pipeline = pipeline;
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId(pipeline));
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
        // Kafka 5.0's default; opting in now keeps behaviour the same across the upgrade.
        props.put("processing.exception.handler.global.enabled", true);
        this.streams = new KafkaStreams(PipelineTopology.build(pipeline, transformLoader), props);
        streams.setUncaughtExceptionHandler(e -> {
            log.error("pipeline {}: processor stopped", pipeline.name(), e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
    }

    public static String applicationId(PipelineConfig pipeline) {
        return "sluice-" + pipeline.name() + "-processor";
    }

    public void start() {
        streams.start();
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    @Override
    public void close() {
        if (!streams.close(Duration.ofSeconds(30))) {
            log.warn("pipeline {}: processor did not stop within 30 s", pipeline.name());
        }
    }
}

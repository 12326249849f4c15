package dev.sluice.processor;

import dev.sluice.config.PipelineConfig;
import dev.sluice.config.TableConfig;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.Topology;

/**
 * {@code {pipeline}} → retries dropped + parse + transforms → {@code {pipeline}.out}, with failures to
 * {@code {pipeline}.dlq}, the idempotency keys seen ({@link RetriedRequests}), and a global store per lookup
 * table ({@link Lookups}).
 */
public final class PipelineTopology {
    static final String SOURCE = "ingested";
    static final String TRANSFORMS = "transforms";
    static final String OUTPUT = "output";
    static final String DEAD_LETTERS = "dead-letters";

    private PipelineTopology() {}

    /** Fails with a {@link dev.sluice.config.ConfigException} naming the step when a transform cannot be created. */
    public static Topology build(
            PipelineConfig pipeline, List<TableConfig> tables, TransformJars jars, MeterRegistry registry) {
        TransformLoader.check(pipeline, jars);
        Topology topology = new Topology();
        topology.addSource(SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(), pipeline.topic());
        topology.addProcessor(TRANSFORMS, () -> new TransformProcessor(pipeline, jars, registry, tables), SOURCE);
        topology.addStateStore(RetriedRequests.store(pipeline.idempotency().window()), TRANSFORMS);
        topology.addSink(
                OUTPUT, pipeline.outputTopic(), new ByteArraySerializer(), new ByteArraySerializer(), TRANSFORMS);
        topology.addSink(
                DEAD_LETTERS, pipeline.dlqTopic(), new ByteArraySerializer(), new ByteArraySerializer(), TRANSFORMS);
        if (pipeline.hasTransforms()) {
            Lookups.addTo(topology, tables);
        }
        return topology;
    }
}

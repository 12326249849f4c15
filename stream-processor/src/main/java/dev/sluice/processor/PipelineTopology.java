package dev.sluice.processor;

import dev.sluice.config.PipelineConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.Topology;

/**
 * {@code {pipeline}} → parse + transforms → {@code {pipeline}.out}, with failures to
 * {@code {pipeline}.dlq}.
 */
public final class PipelineTopology {
    static final String SOURCE = "ingested";
    static final String TRANSFORMS = "transforms";
    static final String OUTPUT = "output";
    static final String DEAD_LETTERS = "dead-letters";

    private PipelineTopology() {}

    public static Topology build(PipelineConfig pipeline, ClassLoader loader) {
        TransformLoader.check(pipeline, loader);
        Topology topology = new Topology();
        topology.addSource(SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(), pipeline.topic());
        topology.addProcessor(TRANSFORMS, () -> new TransformProcessor(pipeline, loader), SOURCE);
        topology.addSink(OUTPUT, pipeline.outputTopic(), new ByteArraySerializer(), new ByteArraySerializer(), TRANSFORMS);
        topology.addSink(DEAD_LETTERS, pipeline.dlqTopic(), new ByteArraySerializer(), new ByteArraySerializer(), TRANSFORMS);
        return topology;
    }
}

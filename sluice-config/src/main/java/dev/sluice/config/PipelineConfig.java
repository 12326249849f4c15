package dev.sluice.config;

import java.util.List;

/**
 * One pipeline: an HTTP endpoint and Kafka topic in, a transform chain, and a sink out.
 *
 * @param name       topic name, URL path segment ({@code /ingest/{name}}) and metrics label
 * @param partitions partitions of the pipeline's topics (default 4)
 * @param transforms transforms run in order; empty means records go to the sink as ingested
 * @param sink       where the output lands
 */
public record PipelineConfig(String name, Integer partitions, List<TransformConfig> transforms, SinkConfig sink) {

    public PipelineConfig {
        partitions = partitions == null ? 4 : partitions;
        transforms = transforms == null ? List.of() : List.copyOf(transforms);
        sink = sink == null ? SinkConfig.defaultsFor(name) : sink.prefix() == null ? sink.withPrefix(name) : sink;
    }

    /** The topic ingest writes to and Kafka producers may write to directly. */
    public String topic() {
        return name;
    }

    /** The topic the stream processor writes transformed records to. */
    public String outputTopic() {
        return name + ".out";
    }

    /** Records that could not be parsed or transformed, with the reason in headers. */
    public String dlqTopic() {
        return name + ".dlq";
    }

    public boolean hasTransforms() {
        return !transforms.isEmpty();
    }

    /** What the sink consumes: the processor's output, or the ingest topic when there is nothing to transform. */
    public String sinkInputTopic() {
        return hasTransforms() ? outputTopic() : topic();
    }
}

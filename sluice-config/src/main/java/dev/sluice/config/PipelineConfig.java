package dev.sluice.config;

import java.util.List;

/**
 * One pipeline: an HTTP endpoint and Kafka topic in, a transform chain, and a sink out.
 *
 * @param name         topic name, URL path segment ({@code /ingest/{name}}) and metrics label
 * @param partitions   partitions of the pipeline's topics (default 4)
 * @param partitionKey JSON path such as {@code $.merchantId} whose value becomes the Kafka key, so
 *                     one key's records stay in order in one partition; null spreads records
 * @param http         the HTTP/WebSocket endpoint: auth, CORS, size limits
 * @param schema       fields every record must have; null accepts any JSON object
 * @param backpressure when ingest answers 429
 * @param transforms   transforms run in order; empty means records go to the sink as ingested
 * @param sink         where the output lands
 */
public record PipelineConfig(String name, Integer partitions, String partitionKey, HttpConfig http, SchemaConfig schema,
                             BackpressureConfig backpressure, List<TransformConfig> transforms, SinkConfig sink) {

    public PipelineConfig {
        partitions = partitions == null ? 4 : partitions;
        http = http == null ? HttpConfig.DEFAULTS : http;
        backpressure = backpressure == null ? BackpressureConfig.DEFAULTS : backpressure;
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

    /** Short form for tests and tools: a pipeline with defaults but for name, partitions, transforms and sink. */
    public PipelineConfig(String name, Integer partitions, List<TransformConfig> transforms, SinkConfig sink) {
        this(name, partitions, null, null, null, null, transforms, sink);
    }

    public boolean hasTransforms() {
        return !transforms.isEmpty();
    }
}

package dev.sluice.config;

import dev.sluice.wire.Topics;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

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
 * @param idempotency  how long a request's {@code Idempotency-Key} is remembered
 * @param transforms   transforms run in order; empty means records go to the sink as ingested
 * @param sink         where the output lands
 */
public record PipelineConfig(
        String name,
        Integer partitions,
        String partitionKey,
        HttpConfig http,
        SchemaConfig schema,
        BackpressureConfig backpressure,
        IdempotencyConfig idempotency,
        List<TransformConfig> transforms,
        SinkConfig sink) {

    public PipelineConfig {
        partitions = partitions == null ? 4 : partitions;
        http = http == null ? HttpConfig.DEFAULTS : http;
        backpressure = backpressure == null ? BackpressureConfig.DEFAULTS : backpressure;
        idempotency = idempotency == null ? IdempotencyConfig.DEFAULTS : idempotency;
        transforms = transforms == null ? List.of() : List.copyOf(transforms);
        sink = sink == null ? SinkConfig.defaultsFor(name) : sink.prefix() == null ? sink.withPrefix(name) : sink;
    }

    /** The topic ingest writes to and Kafka producers may write to directly. */
    public String topic() {
        return Topics.input(name);
    }

    /** The topic the stream processor writes transformed records to. */
    public String outputTopic() {
        return Topics.output(name);
    }

    /** Records that could not be parsed or transformed, with the reason in headers. */
    public String dlqTopic() {
        return Topics.deadLetters(name);
    }

    /** Short form for tests and tools: a pipeline with defaults but for name, partitions, transforms and sink. */
    public PipelineConfig(String name, Integer partitions, List<TransformConfig> transforms, SinkConfig sink) {
        this(name, partitions, null, null, null, null, null, transforms, sink);
    }

    public boolean hasTransforms() {
        return !transforms.isEmpty();
    }

    static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,200}");
    private static final Pattern PARTITION_KEY = Pattern.compile("\\$(\\.[A-Za-z_][A-Za-z0-9_-]*)+");

    void validate(String at) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new ConfigException(
                    at + ".name",
                    "'" + name
                            + "' is not a pipeline name (letters, digits, '_' and '-'; it becomes a topic and a URL segment)");
        }
        if (partitions < 1 || partitions > 10_000) {
            throw new ConfigException(at + ".partitions", "must be between 1 and 10000, was " + partitions);
        }
        if (partitionKey != null && !PARTITION_KEY.matcher(partitionKey).matches()) {
            throw new ConfigException(
                    at + ".partitionKey",
                    "'" + partitionKey + "' is not a JSON path to a field (write e.g. $.merchantId or $.customer.id)");
        }
        http.validate(at + ".http");
        if (schema != null) {
            schema.validate(at + ".schema");
        }
        backpressure.validate(at + ".backpressure");
        idempotency.validate(at + ".idempotency");
        Set<String> labels = new HashSet<>();
        for (int t = 0; t < transforms.size(); t++) {
            String tat = at + ".transforms[" + t + "]";
            TransformConfig transform = transforms.get(t);
            transform.validate(tat);
            if (!labels.add(transform.label())) {
                throw new ConfigException(
                        tat + ".label", "label '" + transform.label() + "' is used twice in pipeline " + name);
            }
        }
        sink.validate(at + ".sink");
        if (sink.format() == SinkConfig.Format.PARQUET
                && (schema == null || (!schema.infer() && schema.fields().isEmpty()))) {
            throw new ConfigException(
                    at + ".schema", "a parquet sink needs a schema: declare fields, or write schema: infer");
        }
    }
}

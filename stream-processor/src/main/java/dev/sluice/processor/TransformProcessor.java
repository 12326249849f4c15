package dev.sluice.processor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.config.PipelineConfig;
import dev.sluice.config.RecordSchema;
import dev.sluice.config.SinkConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Parses each record, checks it against the pipeline's schema and runs the transform chain. Output
 * goes to the {@link PipelineTopology#OUTPUT} sink; a record that is not a JSON object, does not fit
 * the schema, or on which a transform throws, goes to {@link PipelineTopology#DEAD_LETTERS} with the
 * reason in headers, so one bad record never stalls its partition. With no transforms a good record
 * is forwarded with its original bytes.
 */
final class TransformProcessor implements Processor<byte[], byte[], byte[], byte[]> {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PipelineConfig pipeline;
    private final RecordSchema schema;
    /** The partitionBy fields every output record must have, when missing ones go to the DLQ; else empty. */
    private final List<String> requiredPartitionFields;
    private final ClassLoader loader;
    private ProcessorContext<byte[], byte[]> context;
    private TransformChain chain;

    TransformProcessor(PipelineConfig pipeline, ClassLoader loader) {
        this.pipeline = pipeline;
        this.schema = RecordSchema.of(pipeline.schema());
        this.requiredPartitionFields = pipeline.sink().missingPartitionField() == SinkConfig.MissingPartitionField.DLQ
                ? pipeline.sink().partitionBy() : List.of();
        this.loader = loader;
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
        this.chain = TransformChain.open(pipeline, loader);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        if (!pipeline.hasTransforms() && schema.acceptsAnything() && requiredPartitionFields.isEmpty()) {
            // Nothing needs the tree: a streaming check that the value is one JSON object is enough.
            String problem = JsonObjectCheck.problem(record.value());
            if (problem == null) {
                context.forward(record, PipelineTopology.OUTPUT);
            } else {
                deadLetter(record, "parse", null, new IllegalArgumentException(problem));
            }
            return;
        }
        dev.sluice.transforms.Record input;
        try {
            JsonNode node = record.value() == null ? null : JSON.readTree(record.value());
            if (node == null || !node.isObject()) {
                throw new IllegalArgumentException("the value is not a JSON object");
            }
            input = dev.sluice.transforms.Record.of((ObjectNode) node);
        } catch (IOException | IllegalArgumentException e) {
            deadLetter(record, "parse", null, e);
            return;
        }
        String mismatch = schema.mismatch(input.json());
        if (mismatch != null) {
            deadLetter(record, "schema", null, new IllegalArgumentException(mismatch));
            return;
        }
        if (!pipeline.hasTransforms()) {
            String missing = missingPartitionField(input);
            if (missing != null) {
                deadLetter(record, "partition", null, new IllegalArgumentException(missing));
            } else {
                context.forward(record, PipelineTopology.OUTPUT);
            }
            return;
        }
        List<dev.sluice.transforms.Record> outputs;
        try {
            outputs = chain.apply(input);
        } catch (TransformChain.TransformFailure e) {
            deadLetter(record, "transform", e.label, e.getCause());
            return;
        }
        for (dev.sluice.transforms.Record output : outputs) {
            String missing = missingPartitionField(output);
            if (missing != null) {
                deadLetter(record.withValue(bytes(output)), "partition", null, new IllegalArgumentException(missing));
            } else {
                context.forward(record.withValue(bytes(output)), PipelineTopology.OUTPUT);
            }
        }
    }

    /** Why the record cannot be placed when the pipeline sends records without a partition field to the DLQ. */
    private String missingPartitionField(dev.sluice.transforms.Record record) {
        for (String field : requiredPartitionFields) {
            JsonNode value = record.get(field);
            if (value == null || value.isNull() || value.isTextual() && value.asText().isEmpty()) {
                return "field '" + field + "' is missing, null or empty, and sink.partitionBy needs it"
                        + " (sink.missingPartitionField: dlq)";
            }
        }
        return null;
    }

    private void deadLetter(Record<byte[], byte[]> record, String stage, String label, Throwable error) {
        Headers headers = new RecordHeaders(record.headers().toArray());
        headers.add(DeadLetterHeaders.STAGE, utf8(stage));
        if (label != null) {
            headers.add(DeadLetterHeaders.TRANSFORM, utf8(label));
        }
        headers.add(DeadLetterHeaders.EXCEPTION, utf8(error.getClass().getName()));
        headers.add(DeadLetterHeaders.MESSAGE, utf8(String.valueOf(error.getMessage())));
        context.forward(new Record<>(record.key(), record.value(), record.timestamp(), headers), PipelineTopology.DEAD_LETTERS);
    }

    private static byte[] bytes(dev.sluice.transforms.Record output) {
        try {
            return JSON.writeValueAsBytes(output.json());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        if (chain != null) {
            chain.close();
        }
    }
}

package dev.sluice.processor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.config.PipelineConfig;
import dev.sluice.config.RecordSchema;
import dev.sluice.config.SinkConfig;
import dev.sluice.config.TableConfig;
import dev.sluice.transforms.InternalRecords;
import dev.sluice.transforms.RecordMetadata;
import dev.sluice.wire.DeadLetterStage;
import dev.sluice.wire.SluiceHeaders;
import dev.sluice.wire.Source;
import dev.sluice.wire.Topics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Parses each record, checks it against the pipeline's schema and runs the transform chain. Output
 * goes to the {@link PipelineTopology#OUTPUT} sink; a record that is not a JSON object, does not fit
 * the schema, or on which a transform throws, goes to {@link PipelineTopology#DEAD_LETTERS} with the
 * reason in headers, so one bad record never stalls its partition. With no transforms a good record
 * is forwarded with its original bytes.
 */
final class TransformProcessor implements Processor<byte[], byte[], byte[], byte[]> {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final Logger log = LoggerFactory.getLogger(TransformProcessor.class);

    private final PipelineConfig pipeline;
    private final RecordSchema schema;
    /** The partitionBy fields every output record must have, when missing ones go to the DLQ; else empty. */
    private final List<String> requiredPartitionFields;

    private final TransformJars jars;
    private final MeterRegistry registry;
    private final List<TableConfig> tables;
    private final Counter retriesDropped;
    private ProcessorContext<byte[], byte[]> context;
    private TransformChain chain;
    private RetriedRequests retries;

    TransformProcessor(PipelineConfig pipeline, TransformJars jars, MeterRegistry registry, List<TableConfig> tables) {
        this.pipeline = pipeline;
        this.schema = RecordSchema.of(pipeline.schema());
        this.requiredPartitionFields = pipeline.sink().missingPartitionField() == SinkConfig.MissingPartitionField.DLQ
                ? pipeline.sink().partitionBy()
                : List.of();
        this.jars = jars;
        this.registry = registry;
        this.tables = tables;
        this.retriesDropped = Counter.builder("sluice.idempotency.retries.dropped")
                .tags("pipeline", pipeline.name())
                .description("records of a request repeated with the same Idempotency-Key, dropped")
                .register(registry);
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
        this.retries = new RetriedRequests(
                context.getStateStore(Topics.PROCESSOR_IDEMPOTENCY_STORE),
                pipeline.idempotency().window());
        if (pipeline.hasTransforms()) {
            this.chain = TransformChain.open(pipeline, jars, registry, Lookups.from(context, tables));
        }
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        switch (retries.judge(record)) {
            case FORWARD -> {}
            case RETRY -> {
                retriesDropped.increment();
                return;
            }
            case KEY_REUSED -> {
                deadLetter(
                        record,
                        DeadLetterStage.IDEMPOTENCY,
                        null,
                        new IllegalArgumentException("its Idempotency-Key was used by request " + retries.firstRequest()
                                + " for another body within idempotency.window"));
                return;
            }
        }
        if (!pipeline.hasTransforms() && schema.acceptsAnything() && requiredPartitionFields.isEmpty()) {
            // Nothing needs the tree: a streaming check that the value is one JSON object is enough.
            String problem = JsonObjectCheck.problem(record.value());
            if (problem == null) {
                context.forward(record, PipelineTopology.OUTPUT);
            } else {
                deadLetter(record, DeadLetterStage.PARSE, null, new IllegalArgumentException(problem));
            }
            return;
        }
        ObjectNode json;
        try {
            JsonNode node = record.value() == null ? null : JSON.readTree(record.value());
            if (node == null || !node.isObject()) {
                throw new IllegalArgumentException("the value is not a JSON object");
            }
            json = (ObjectNode) node;
        } catch (IOException | IllegalArgumentException e) {
            deadLetter(record, DeadLetterStage.PARSE, null, e);
            return;
        }
        String mismatch = schema.mismatch(json);
        if (mismatch != null) {
            deadLetter(record, DeadLetterStage.SCHEMA, null, new IllegalArgumentException(mismatch));
            return;
        }
        dev.sluice.transforms.Record input = InternalRecords.of(json, metadata(record));
        if (!pipeline.hasTransforms()) {
            String missing = missingPartitionField(input);
            if (missing != null) {
                deadLetter(record, DeadLetterStage.PARTITION, null, new IllegalArgumentException(missing));
            } else {
                context.forward(record, PipelineTopology.OUTPUT);
            }
            return;
        }
        List<dev.sluice.transforms.Record> outputs;
        try {
            outputs = chain.apply(input);
        } catch (TransformChain.TransformFailure e) {
            switch (e.step.onError()) {
                case DLQ -> deadLetter(record, DeadLetterStage.TRANSFORM, e.step.label(), e.getCause());
                case SKIP -> {} // counted in sluice_transform_errors_total
                case FAIL -> {
                    String where = context.recordMetadata()
                            .map(m -> m.topic() + "-" + m.partition() + "@" + m.offset())
                            .orElse("?");
                    log.error(
                            "pipeline {}: transform '{}' threw on record {} and its onError is fail: the processor stops",
                            pipeline.name(),
                            e.step.label(),
                            where,
                            e.getCause());
                    throw new OnErrorFail(
                            "pipeline " + pipeline.name() + ", transform '" + e.step.label()
                                    + "' (onError: fail) threw on record " + where,
                            e.getCause());
                }
            }
            return;
        }
        for (dev.sluice.transforms.Record output : outputs) {
            // A record that came through unchanged keeps its original bytes: no re-serialising.
            @SuppressWarnings("ReferenceEquality") // the transform passed on the very object it was given
            boolean unchanged = output == input && !InternalRecords.isModified(input);
            byte[] value = unchanged ? record.value() : bytes(output);
            String missing = missingPartitionField(output);
            if (missing != null) {
                deadLetter(
                        record.withValue(value),
                        DeadLetterStage.PARTITION,
                        null,
                        new IllegalArgumentException(missing));
            } else {
                context.forward(record.withValue(value), PipelineTopology.OUTPUT);
            }
        }
    }

    /** Where the record came from, as transforms see it ({@link RecordMetadata}). */
    private RecordMetadata metadata(Record<byte[], byte[]> record) {
        Map<String, String> headers = new HashMap<>();
        for (Header header : record.headers()) {
            if (header.value() != null) {
                headers.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
            }
        }
        long ingestMillis = record.timestamp();
        String ingestTime = headers.get(SluiceHeaders.INGEST_TIME);
        if (ingestTime != null) {
            try {
                ingestMillis = Long.parseLong(ingestTime);
            } catch (NumberFormatException e) {
                // a producer's own header of that name: the record timestamp stands
            }
        }
        var where = context.recordMetadata();
        return new RecordMetadata(
                pipeline.name(),
                Instant.ofEpochMilli(ingestMillis),
                headers.getOrDefault(SluiceHeaders.SOURCE, Source.KAFKA.wireName()),
                where.map(m -> m.partition()).orElse(-1),
                where.map(m -> m.offset()).orElse(-1L),
                headers);
    }

    /** Why the record cannot be placed when the pipeline sends records without a partition field to the DLQ. */
    private String missingPartitionField(dev.sluice.transforms.Record record) {
        if (requiredPartitionFields.isEmpty()) {
            return null;
        }
        ObjectNode json = record.json();
        for (String field : requiredPartitionFields) {
            JsonNode value = json.get(field);
            if (value == null
                    || value.isNull()
                    || (value.isTextual() && value.asText().isEmpty())) {
                return "field '" + field + "' is missing, null or empty, and sink.partitionBy needs it"
                        + " (sink.missingPartitionField: dlq)";
            }
        }
        return null;
    }

    private void deadLetter(Record<byte[], byte[]> record, DeadLetterStage stage, String label, Throwable error) {
        Headers headers = new RecordHeaders(record.headers().toArray());
        headers.add(SluiceHeaders.ERROR_STAGE, utf8(stage.wireName()));
        if (label != null) {
            headers.add(SluiceHeaders.ERROR_TRANSFORM, utf8(label));
        }
        headers.add(SluiceHeaders.ERROR_EXCEPTION, utf8(error.getClass().getName()));
        headers.add(SluiceHeaders.ERROR_MESSAGE, utf8(String.valueOf(error.getMessage())));
        context.forward(
                new Record<>(record.key(), record.value(), record.timestamp(), headers), PipelineTopology.DEAD_LETTERS);
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

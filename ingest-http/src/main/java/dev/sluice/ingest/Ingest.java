package dev.sluice.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.config.PipelineConfig;
import dev.sluice.config.RecordSchema;
import dev.sluice.config.SluiceConfig;
import dev.sluice.wire.SluiceHeaders;
import dev.sluice.wire.Source;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * What HTTP and WebSocket share: from a decoded body to records acknowledged by Kafka. Splits and
 * checks every record (JSON, size, schema) before anything is produced, derives partition keys,
 * asks {@link Backpressure}, then hands the whole request to the {@link RecordSender} as one unit.
 */
final class Ingest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, Endpoint> endpoints;
    private final RecordSender sender;
    private final Backpressure backpressure;
    private final IngestMetrics metrics;
    private final RecentRequests recent = new RecentRequests(Clock.systemUTC());
    private final Executor replies;

    /** @param replies where the returned futures complete, so that answers are not written on Kafka's threads */
    Ingest(
            SluiceConfig config,
            RecordSender sender,
            Backpressure backpressure,
            IngestMetrics metrics,
            Executor replies) {
        this.replies = replies;
        this.endpoints =
                config.pipelines().stream().collect(Collectors.toUnmodifiableMap(PipelineConfig::name, Endpoint::new));
        this.sender = sender;
        this.backpressure = backpressure;
        this.metrics = metrics;
    }

    /** A pipeline's ingest side, with everything derived from its config once. */
    static final class Endpoint {
        final PipelineConfig pipeline;
        final TokenCheck tokens;
        final CorsPolicy cors;
        final RecordSchema schema;
        final PartitionKey partitionKey;

        Endpoint(PipelineConfig pipeline) {
            this.pipeline = pipeline;
            this.tokens = new TokenCheck(pipeline.http().auth().tokens());
            this.cors = new CorsPolicy(
                    pipeline.http().cors() == null
                            ? List.of()
                            : pipeline.http().cors().origins());
            this.schema = RecordSchema.of(pipeline.schema());
            this.partitionKey = pipeline.partitionKey() == null ? null : PartitionKey.of(pipeline.partitionKey());
        }

        String name() {
            return pipeline.name();
        }
    }

    Endpoint endpoint(String name) {
        Endpoint endpoint = endpoints.get(name);
        if (endpoint == null) {
            throw new IngestError(ErrorCode.UNKNOWN_PIPELINE, "no pipeline named '" + name + "'");
        }
        return endpoint;
    }

    IngestMetrics metrics() {
        return metrics;
    }

    /**
     * Accepts one request or frame: all of its records, or (by exception or a failed future) none. A request
     * with an {@code Idempotency-Key} taken before within the window shares that request's outcome.
     *
     * @param key the request's {@link IdempotencyKey}, or null
     * @throws IngestError for a body that is refused before anything is produced
     */
    CompletableFuture<Integer> accept(
            Endpoint endpoint,
            byte[] body,
            BodyFormat format,
            Source source,
            String requestId,
            int affinity,
            IdempotencyKey key) {
        CompletableFuture<Integer> outcome = key == null
                ? send(endpoint, body, format, source, requestId, affinity, null)
                : recent.accept(
                        endpoint.name(),
                        key,
                        endpoint.pipeline.idempotency().window(),
                        () -> send(endpoint, body, format, source, requestId, affinity, key));
        return outcome.whenCompleteAsync((committed, error) -> {}, replies);
    }

    private CompletableFuture<Integer> send(
            Endpoint endpoint,
            byte[] body,
            BodyFormat format,
            Source source,
            String requestId,
            int affinity,
            IdempotencyKey key) {
        PipelineConfig pipeline = endpoint.pipeline;
        List<byte[]> values = JsonRecords.split(body, format, pipeline.http().maxRecordBytes());
        long ingestTime = System.currentTimeMillis();
        // One headers object serves every record of the request; the producer only reads it.
        RecordHeaders headers = headers(source, requestId, key);
        Function<byte[], byte[]> keys = keysFor(endpoint, values);
        // A retry must put each record on the partition its first attempt did, where the processor drops it:
        // records without a partition key are keyed by the idempotency key (the default partitioner hashes it).
        byte[] unkeyed = key == null ? null : key.keyBytes();
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>(values.size());
        long bytes = 0;
        for (byte[] value : values) {
            bytes += value.length;
            byte[] recordKey = keys.apply(value);
            records.add(new ProducerRecord<>(
                    pipeline.topic(), null, ingestTime, recordKey == null ? unkeyed : recordKey, value, headers));
        }
        backpressure.admit(pipeline, records.size(), bytes);
        long start = System.nanoTime();
        long requestBytes = bytes;
        return sender.send(records, bytes, affinity).whenComplete((n, error) -> {
            if (error == null) {
                metrics.accepted(pipeline.name(), source, n, requestBytes, System.nanoTime() - start);
            }
        });
    }

    /**
     * Each header costs the producer a UTF-8 encoding of its name, and its bytes in every record, so there are
     * few: the ingest time is the record's timestamp, not a header.
     */
    private static RecordHeaders headers(Source source, String requestId, IdempotencyKey key) {
        Header from = new RecordHeader(SluiceHeaders.SOURCE, source.wireName().getBytes(StandardCharsets.UTF_8));
        Header request = new RecordHeader(SluiceHeaders.REQUEST_ID, requestId.getBytes(StandardCharsets.UTF_8));
        if (key == null) {
            return new RecordHeaders(new Header[] {from, request});
        }
        return new RecordHeaders(new Header[] {
            from,
            request,
            new RecordHeader(SluiceHeaders.IDEMPOTENCY_KEY, key.keyBytes()),
            new RecordHeader(SluiceHeaders.IDEMPOTENCY_DIGEST, key.digestBytes())
        });
    }

    /**
     * Checks the schema and extracts partition keys, parsing each record into a tree only when the
     * pipeline has a schema or a partition key.
     */
    private static Function<byte[], byte[]> keysFor(Endpoint endpoint, List<byte[]> values) {
        if (endpoint.schema.acceptsAnything() && endpoint.partitionKey == null) {
            return value -> null;
        }
        IdentityHashMap<byte[], byte[]> keys = new IdentityHashMap<>();
        for (int i = 0; i < values.size(); i++) {
            ObjectNode record = tree(values.get(i));
            String mismatch = endpoint.schema.mismatch(record);
            if (mismatch != null) {
                throw new IngestError(ErrorCode.SCHEMA_MISMATCH, "record " + i + ": " + mismatch, i);
            }
            if (endpoint.partitionKey != null) {
                keys.put(values.get(i), endpoint.partitionKey.keyOf(record));
            }
        }
        return keys::get;
    }

    private static ObjectNode tree(byte[] value) {
        try {
            return (ObjectNode) JSON.readTree(value);
        } catch (IOException e) {
            throw new UncheckedIOException("a record that passed the splitter did not parse", e);
        }
    }
}

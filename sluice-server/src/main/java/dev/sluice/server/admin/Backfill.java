package dev.sluice.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.config.KafkaConfig;
import dev.sluice.config.PipelineConfig;
import dev.sluice.ingest.PartitionKey;
import dev.sluice.wire.ClientIds;
import dev.sluice.wire.SluiceHeaders;
import dev.sluice.wire.Source;
import dev.sluice.wire.Topics;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * One backfill: re-ingests the NDJSON objects under a bucket prefix (gzip or not; others are skipped) into a
 * pipeline's topic, where the processor checks and transforms them as any record. Each object goes in one Kafka
 * transaction with a mark in {@code {p}.backfilled} (its key and ETag), and objects marked with the same ETag
 * are skipped: running a backfill again, or after a crash half-way, re-ingests nothing twice. All backfills of a
 * pipeline share one transactional id, so two at once fence each other, as dead-letter replays do.
 */
public final class Backfill implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(Backfill.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** One object is one transaction: give a large one time to be written. */
    private static final int TRANSACTION_TIMEOUT_MS = 5 * 60_000;

    private static final byte[] SOURCE = Source.BACKFILL.wireName().getBytes(StandardCharsets.UTF_8);

    /** Where a backfill reads: {@code s3://bucket/prefix}, and a range of the objects' last-modified times. */
    public record From(String bucket, String prefix, Instant since, Instant until) {
        public From {
            if (since != null && until != null && !since.isBefore(until)) {
                throw new IllegalArgumentException("since (" + since + ") must be before until (" + until + ")");
            }
        }

        /** Parses {@code s3://bucket/prefix}; the prefix may be empty. */
        public static From parse(String url, Instant since, Instant until) {
            if (url == null || !url.startsWith("s3://") || url.length() == "s3://".length()) {
                throw new IllegalArgumentException("from must be s3://bucket/prefix, not '" + url + "'");
            }
            String rest = url.substring("s3://".length());
            int slash = rest.indexOf('/');
            return slash < 0
                    ? new From(rest, "", since, until)
                    : new From(rest.substring(0, slash), rest.substring(slash + 1), since, until);
        }

        boolean covers(Instant lastModified) {
            return (since == null || !lastModified.isBefore(since)) && (until == null || lastModified.isBefore(until));
        }

        String url(String key) {
            return "s3://" + bucket + "/" + key;
        }
    }

    /** Running, then done or failed. */
    public enum State {
        RUNNING,
        DONE,
        FAILED
    }

    private final String id;
    private final PipelineConfig pipeline;
    private final From source;
    private final List<S3Object> objects;
    private final S3Client s3;
    private final KafkaConfig kafka;
    private final Clock clock;
    private final Instant startedAt;

    private volatile State state = State.RUNNING;
    // Written by the backfill's thread, read by the API's.
    private final AtomicLong objectsDone = new AtomicLong();
    private final AtomicLong objectsSkipped = new AtomicLong();
    private final AtomicLong records = new AtomicLong();
    private volatile String error;
    private volatile Instant endedAt;

    /**
     * Lists what to read now, so that a bucket that is not there or a prefix with nothing under it is said at once.
     *
     * @throws software.amazon.awssdk.core.exception.SdkException when the listing fails
     */
    Backfill(String id, PipelineConfig pipeline, From source, S3Client s3, KafkaConfig kafka, Clock clock) {
        this.id = id;
        this.pipeline = pipeline;
        this.source = source;
        this.s3 = s3;
        this.kafka = kafka;
        this.clock = clock;
        this.startedAt = clock.instant();
        this.objects = s3
                .listObjectsV2Paginator(ListObjectsV2Request.builder()
                        .bucket(source.bucket())
                        .prefix(source.prefix())
                        .build())
                .contents()
                .stream()
                .filter(o -> source.covers(o.lastModified()))
                .toList();
    }

    public String id() {
        return id;
    }

    public State state() {
        return state;
    }

    @Override
    public void run() {
        Map<String, Object> props = kafka.clientProperties();
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, ClientIds.backfill(pipeline.name()));
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "sluice-backfill");
        props.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, TRANSACTION_TIMEOUT_MS);
        PartitionKey partitionKey = pipeline.partitionKey() == null ? null : PartitionKey.of(pipeline.partitionKey());
        try (KafkaProducer<byte[], byte[]> producer =
                        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
                KafkaConsumer<byte[], byte[]> consumer = Readers.create(kafka, "sluice-backfill")) {
            // First fence any other backfill of this pipeline: what it committed is then in the marks read next.
            producer.initTransactions();
            Map<String, String> done = TopicReader.marks(consumer, Topics.backfilled(pipeline.name()));
            for (S3Object object : objects) {
                String url = source.url(object.key());
                if (!isNdjson(object.key()) || object.eTag().equals(done.get(url))) {
                    objectsSkipped.incrementAndGet();
                    continue;
                }
                List<byte[]> lines = lines(object.key());
                long now = clock.millis();
                producer.beginTransaction();
                for (byte[] line : lines) {
                    RecordHeaders headers = new RecordHeaders();
                    headers.add(SluiceHeaders.INGEST_TIME, Long.toString(now).getBytes(StandardCharsets.UTF_8));
                    headers.add(SluiceHeaders.SOURCE, SOURCE);
                    headers.add(SluiceHeaders.BACKFILL_OF, url.getBytes(StandardCharsets.UTF_8));
                    // A failed send fails the commit: the object is the unit that goes in or not.
                    Future<?> unused = producer.send(
                            new ProducerRecord<>(pipeline.topic(), null, now, key(partitionKey, line), line, headers));
                }
                Future<?> unused = producer.send(new ProducerRecord<>(
                        Topics.backfilled(pipeline.name()),
                        url.getBytes(StandardCharsets.UTF_8),
                        object.eTag().getBytes(StandardCharsets.UTF_8)));
                producer.commitTransaction();
                objectsDone.incrementAndGet();
                records.addAndGet(lines.size());
            }
            state = State.DONE;
        } catch (RuntimeException e) {
            log.warn(
                    "backfill {} of pipeline {} from s3://{}/{} failed",
                    id,
                    pipeline.name(),
                    source.bucket(),
                    source.prefix(),
                    e);
            error = e.getClass().getSimpleName() + ": " + e.getMessage();
            state = State.FAILED;
        } finally {
            endedAt = clock.instant();
        }
    }

    /** What the API shows: where from, how far, and how it ended. */
    public ObjectNode toJson() {
        ObjectNode node = JSON.createObjectNode();
        node.put("id", id)
                .put("pipeline", pipeline.name())
                .put("from", source.url(source.prefix()))
                .put("since", source.since() == null ? null : source.since().toString())
                .put("until", source.until() == null ? null : source.until().toString())
                .put("state", state.name().toLowerCase(Locale.ROOT))
                .put("startedAt", startedAt.toString())
                .put("endedAt", endedAt == null ? null : endedAt.toString());
        node.putObject("objects")
                .put("total", objects.size())
                .put("done", objectsDone.get())
                .put("skipped", objectsSkipped.get());
        node.put("records", records.get()).put("error", error);
        return node;
    }

    /** Sluice's own output and the usual NDJSON names; Parquet and anything else are skipped. */
    static boolean isNdjson(String key) {
        String name = key.toLowerCase(Locale.ROOT);
        if (name.endsWith(".gz")) {
            name = name.substring(0, name.length() - 3);
        }
        return name.endsWith(".json") || name.endsWith(".ndjson") || name.endsWith(".jsonl");
    }

    /** The object's non-blank lines, gunzipped when it is gzip (by its first bytes, whatever its name says). */
    private List<byte[]> lines(String key) {
        ResponseBytes<GetObjectResponse> bytes = s3.getObjectAsBytes(
                GetObjectRequest.builder().bucket(source.bucket()).key(key).build());
        return splitLines(bytes.asByteArray());
    }

    static List<byte[]> splitLines(byte[] content) {
        byte[] plain = content;
        if (content.length > 2 && (content[0] & 0xff) == 0x1f && (content[1] & 0xff) == 0x8b) {
            try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(content))) {
                plain = in.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException("not valid gzip", e);
            }
        }
        List<byte[]> lines = new ArrayList<>();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int i = 0; i <= plain.length; i++) {
            if (i == plain.length || plain[i] == '\n') {
                byte[] bytes = line.toByteArray();
                if (!new String(bytes, StandardCharsets.UTF_8).isBlank()) {
                    lines.add(bytes);
                }
                line.reset();
            } else if (plain[i] != '\r') {
                line.write(plain[i]);
            }
        }
        return lines;
    }

    private static byte[] key(PartitionKey partitionKey, byte[] line) {
        if (partitionKey == null) {
            return null;
        }
        try {
            JsonNode json = JSON.readTree(line);
            return json instanceof ObjectNode o ? partitionKey.keyOf(o) : null;
        } catch (IOException notJson) {
            return null; // the processor dead-letters it
        }
    }
}

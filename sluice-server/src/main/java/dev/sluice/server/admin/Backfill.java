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
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PushbackInputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
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
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
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
    /** A chunk's transaction; a backfill killed mid-chunk holds the pipeline's readers back at most this long. */
    private static final int TRANSACTION_TIMEOUT_MS = 30_000;
    /** Lines per transaction: a chunk commits in well under a second. */
    static final int LINES_PER_TRANSACTION = 5_000;

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

    /** Queued behind another backfill, running, then done or failed. */
    public enum State {
        QUEUED,
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

    private final int maxRequestBytes;
    private volatile State state = State.QUEUED;
    private volatile boolean stopping;
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
    Backfill(
            String id,
            PipelineConfig pipeline,
            From source,
            S3Client s3,
            KafkaConfig kafka,
            int maxRequestBytes,
            Clock clock) {
        this.id = id;
        this.maxRequestBytes = maxRequestBytes;
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
        state = State.RUNNING;
        Map<String, Object> props = kafka.clientProperties();
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, ClientIds.backfill(pipeline.name()));
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "sluice-backfill");
        props.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, TRANSACTION_TIMEOUT_MS);
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, maxRequestBytes);
        PartitionKey partitionKey = pipeline.partitionKey() == null ? null : PartitionKey.of(pipeline.partitionKey());
        try (KafkaProducer<byte[], byte[]> producer =
                        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
                KafkaConsumer<byte[], byte[]> consumer = Readers.create(kafka, "sluice-backfill")) {
            // First fence any other backfill of this pipeline: what it committed is then in the marks read next.
            producer.initTransactions();
            Map<String, String> marks = TopicReader.marks(consumer, Topics.backfilled(pipeline.name()));
            for (S3Object object : objects) {
                String url = source.url(object.key());
                Mark mark = Mark.parse(marks.get(url));
                boolean sameObject = mark != null && mark.etag().equals(object.eTag());
                if (!isNdjson(object.key()) || (sameObject && mark.complete())) {
                    objectsSkipped.incrementAndGet();
                    continue;
                }
                // A backfill stopped in this object committed its first lines: go on after them.
                long from = sameObject ? mark.lines() : 0;
                if (!copy(producer, partitionKey, object, url, from)) {
                    break; // stopping
                }
                objectsDone.incrementAndGet();
            }
            state = stopping ? State.FAILED : State.DONE;
            if (stopping) {
                error = "stopped with its process; run it again to go on where it stopped";
            }
        } catch (RuntimeException | Error e) {
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

    /**
     * Writes an object's lines from line {@code from} on, a chunk per transaction with the mark of how far it got:
     * a transaction stays short (live records behind it wait for it to commit), and a stop loses at most a chunk.
     * False when it stopped before the end because the backfill is stopping.
     */
    private boolean copy(
            KafkaProducer<byte[], byte[]> producer, PartitionKey partitionKey, S3Object object, String url, long from) {
        byte[] urlBytes = url.getBytes(StandardCharsets.UTF_8);
        long now = clock.millis();
        try (BufferedReader lines = open(object.key())) {
            long lineNo = 0;
            long inChunk = 0;
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.isBlank() || lineNo++ < from) {
                    continue;
                }
                if (inChunk == 0) {
                    if (stopping) {
                        return false;
                    }
                    producer.beginTransaction();
                }
                byte[] value = line.getBytes(StandardCharsets.UTF_8);
                RecordHeaders headers = new RecordHeaders();
                headers.add(SluiceHeaders.SOURCE, SOURCE);
                headers.add(SluiceHeaders.BACKFILL_OF, urlBytes);
                // A failed send fails the commit: the chunk is the unit that goes in or not.
                Future<?> unused = producer.send(
                        new ProducerRecord<>(pipeline.topic(), null, now, key(partitionKey, value), value, headers));
                if (++inChunk == LINES_PER_TRANSACTION) {
                    commit(producer, urlBytes, new Mark(object.eTag(), lineNo, false));
                    records.addAndGet(inChunk);
                    inChunk = 0;
                }
            }
            if (inChunk == 0) {
                producer.beginTransaction();
            }
            commit(producer, urlBytes, new Mark(object.eTag(), lineNo, true));
            records.addAndGet(inChunk);
            return true;
        } catch (IOException e) {
            producer.abortTransaction();
            throw new UncheckedIOException("reading " + url, e);
        }
    }

    private void commit(KafkaProducer<byte[], byte[]> producer, byte[] url, Mark mark) {
        Future<?> unused = producer.send(new ProducerRecord<>(Topics.backfilled(pipeline.name()), url, mark.toJson()));
        producer.commitTransaction();
    }

    /** How far backfills got in an object: its ETag, the non-blank lines committed, and whether that is all. */
    record Mark(String etag, long lines, boolean complete) {
        static Mark parse(String json) {
            if (json == null) {
                return null;
            }
            try {
                JsonNode node = JSON.readTree(json);
                return new Mark(
                        node.path("etag").asText(),
                        node.path("lines").asLong(),
                        node.path("complete").asBoolean());
            } catch (IOException e) {
                return null; // not a mark this version wrote: do the object again
            }
        }

        byte[] toJson() {
            return JSON.createObjectNode()
                    .put("etag", etag)
                    .put("lines", lines)
                    .put("complete", complete)
                    .toString()
                    .getBytes(StandardCharsets.UTF_8);
        }
    }

    /** Asks a running backfill to stop after its current chunk; {@link #run} then ends. */
    void stop() {
        stopping = true;
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

    /** The object's text, gunzipped when it is gzip (by its first bytes, whatever its name says), streamed. */
    private BufferedReader open(String key) throws IOException {
        InputStream body = s3.getObject(
                GetObjectRequest.builder().bucket(source.bucket()).key(key).build());
        return reader(body);
    }

    static BufferedReader reader(InputStream body) throws IOException {
        PushbackInputStream in = new PushbackInputStream(new BufferedInputStream(body), 2);
        byte[] magic = in.readNBytes(2);
        in.unread(magic);
        InputStream plain = magic.length == 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b
                ? new GZIPInputStream(in, 64 * 1024)
                : in;
        return new BufferedReader(new InputStreamReader(plain, StandardCharsets.UTF_8), 64 * 1024);
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

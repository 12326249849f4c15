package dev.sluice.server.admin;

import com.github.f4b6a3.ulid.UlidCreator;
import dev.sluice.config.KafkaConfig;
import dev.sluice.config.PipelineConfig;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The backfills this process runs, one at a time, and those it ran since it started (their progress lives here;
 * what they wrote, and which objects they did, lives in Kafka).
 */
public final class Backfills implements AutoCloseable {
    private final S3Client s3;
    private final KafkaConfig kafka;
    private final int maxRequestBytes;
    private final Clock clock;
    private final Map<String, Backfill> byId = new ConcurrentHashMap<>();
    // One at a time: backfills of one pipeline fence each other anyway, and each is as fast as Kafka takes it.
    private final ExecutorService runner = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "sluice-backfill");
        t.setDaemon(true);
        return t;
    });

    /** @param maxRequestBytes the producer's largest request: as ingest's, so that every accepted record fits */
    public Backfills(S3Client s3, KafkaConfig kafka, int maxRequestBytes, Clock clock) {
        this.s3 = s3;
        this.kafka = kafka;
        this.maxRequestBytes = maxRequestBytes;
        this.clock = clock;
    }

    /**
     * Lists the objects and queues the backfill.
     *
     * @throws software.amazon.awssdk.core.exception.SdkException when the bucket cannot be listed
     */
    public Backfill start(PipelineConfig pipeline, Backfill.From from) {
        String id = "bf-" + UlidCreator.getMonotonicUlid().toString().toLowerCase(Locale.ROOT);
        Backfill backfill = new Backfill(id, pipeline, from, s3, kafka, maxRequestBytes, clock);
        byId.put(id, backfill);
        // Its outcome is the backfill's own state, which the API shows.
        Future<?> unused = runner.submit(backfill);
        return backfill;
    }

    public Optional<Backfill> get(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    /** This process's backfills, oldest first (ids sort by time). */
    public List<Backfill> all() {
        List<Backfill> all = new ArrayList<>(byId.values());
        all.sort((a, b) -> a.id().compareTo(b.id()));
        return all;
    }

    @Override
    public void close() {
        // Stop between chunks, never inside one: a transaction left open would hold the pipeline's readers back.
        byId.values().forEach(Backfill::stop);
        runner.shutdown();
        try {
            if (!runner.awaitTermination(30, TimeUnit.SECONDS)) {
                runner.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            runner.shutdownNow();
        }
    }
}

package dev.sluice.sink;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;

/**
 * A pipeline sink's meters, tagged {@code pipeline}; in Prometheus: {@code sluice_sink_objects_total},
 * {@code sluice_sink_bytes_total}, {@code sluice_sink_records_total}, {@code sluice_sink_upload_seconds}
 * (one object's upload, retries included), {@code sluice_sink_upload_retries_total},
 * {@code sluice_sink_open_batches}, {@code sluice_sink_uploads_waiting} (recorded, not yet confirmed) and
 * {@code sluice_sink_freshness_seconds}: how long the oldest record the sink holds has been waiting for its
 * object (0 when it holds none). The gauges read what the sink thread last published ({@link #held}).
 */
final class SinkMetrics {
    private final Counter objects;
    private final Counter bytes;
    private final Counter records;
    private final Timer upload;
    private final Counter retries;
    private final Clock clock;
    private volatile int openBatches;
    private volatile int uploadsWaiting;
    /** Sink-clock millis since which the oldest held record waits, or -1. */
    private volatile long oldestHeldSince = -1;

    SinkMetrics(MeterRegistry registry, String pipeline, Duration maxDuration, Clock clock) {
        this.clock = clock;
        this.objects = Counter.builder("sluice.sink.objects")
                .description("objects written and confirmed")
                .tag("pipeline", pipeline)
                .register(registry);
        this.bytes = Counter.builder("sluice.sink.bytes")
                .baseUnit("bytes")
                .description("bytes of the objects written")
                .tag("pipeline", pipeline)
                .register(registry);
        this.records = Counter.builder("sluice.sink.records")
                .description("records in the objects written")
                .tag("pipeline", pipeline)
                .register(registry);
        this.upload = Timer.builder("sluice.sink.upload")
                .description("uploading one object, retries included")
                .tag("pipeline", pipeline)
                .register(registry);
        this.retries = Counter.builder("sluice.sink.upload.retries")
                .description("upload attempts that failed and were retried")
                .tag("pipeline", pipeline)
                .register(registry);
        Gauge.builder("sluice.sink.open.batches", this, m -> m.openBatches)
                .description("batches being filled")
                .tag("pipeline", pipeline)
                .register(registry);
        Gauge.builder("sluice.sink.uploads.waiting", this, m -> m.uploadsWaiting)
                .description("batches recorded and not yet confirmed as objects")
                .tag("pipeline", pipeline)
                .register(registry);
        // The setting beside the figure, so that an alert can compare the two (deploy/prometheus/alerts.yml).
        Gauge.builder("sluice.sink.batch.max.duration", maxDuration, d -> d.toMillis() / 1000.0)
                .baseUnit("seconds")
                .description(
                        "sink.batch.maxDuration: a batch is written at the latest this long after its first record")
                .tag("pipeline", pipeline)
                .register(registry);
        Gauge.builder("sluice.sink.freshness", this, SinkMetrics::freshnessSeconds)
                .baseUnit("seconds")
                .description("how long the oldest record the sink holds has waited for its object")
                .tag("pipeline", pipeline)
                .register(registry);
    }

    void written(BatchManifest object) {
        objects.increment();
        bytes.increment((double) object.size());
        records.increment((double) object.recordsWritten());
    }

    void uploaded(Duration took) {
        upload.record(took);
    }

    void retried() {
        retries.increment();
    }

    /** Published by the sink thread after each step. */
    void held(int openBatches, int uploadsWaiting, long oldestHeldSince) {
        this.openBatches = openBatches;
        this.uploadsWaiting = uploadsWaiting;
        this.oldestHeldSince = oldestHeldSince;
    }

    private double freshnessSeconds() {
        long since = oldestHeldSince;
        return since < 0 ? 0 : Math.max(0, clock.millis() - since) / 1000.0;
    }
}

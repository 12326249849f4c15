package dev.sluice.ingest;

import dev.sluice.config.PipelineConfig;
import dev.sluice.config.SluiceConfig;
import dev.sluice.wire.Source;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The ingest's meters, exported at {@code GET /metrics}: requests by status, records, bytes, errors
 * by code, produce latency, backlog and open WebSocket connections, each tagged with the pipeline.
 * Unknown pipeline names are tagged {@code _unknown} so that random URLs cannot grow the series.
 */
final class IngestMetrics {
    static final String UNKNOWN_PIPELINE = "_unknown";

    private final MeterRegistry registry;
    private final Map<String, PipelineMeters> pipelines = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> webSocketConnections = new ConcurrentHashMap<>();

    IngestMetrics(MeterRegistry registry, SluiceConfig config, Backpressure backpressure) {
        this.registry = registry;
        for (PipelineConfig p : config.pipelines()) {
            for (Source source : new Source[] {Source.HTTP, Source.WS}) {
                pipelines.put(
                        p.name() + "/" + source.wireName(), new PipelineMeters(registry, p.name(), source.wireName()));
            }
            AtomicInteger connections = new AtomicInteger();
            Gauge.builder("sluice.ingest.websocket.connections", connections, AtomicInteger::get)
                    .description("open WebSocket connections")
                    .tag("pipeline", p.name())
                    .register(registry);
            webSocketConnections.put(p.name(), connections);
            Gauge.builder("sluice.ingest.backlog.records", backpressure, b -> b.backlogRecords(p.name()))
                    .description("records accepted into Kafka but not yet written to storage")
                    .tag("pipeline", p.name())
                    .register(registry);
            // The limit beside the figure, so that an alert can compare the two (deploy/prometheus/alerts.yml).
            Gauge.builder(
                            "sluice.ingest.backlog.limit.records",
                            p,
                            c -> c.backpressure().maxBacklogRecords())
                    .description("backpressure.maxBacklogRecords: at this backlog ingest answers 429")
                    .tag("pipeline", p.name())
                    .register(registry);
            Gauge.builder("sluice.ingest.backlog.bytes", backpressure, b -> b.backlogBytes(p.name()))
                    .description("approximate bytes accepted into Kafka but not yet written to storage")
                    .tag("pipeline", p.name())
                    .register(registry);
        }
    }

    void accepted(String pipeline, Source source, int records, long bytes, long produceNanos) {
        PipelineMeters m = pipelines.get(pipeline + "/" + source.wireName());
        m.ok.increment();
        m.records.increment(records);
        m.bytes.increment((double) bytes);
        m.produce.record(produceNanos, TimeUnit.NANOSECONDS);
    }

    void refused(String pipeline, Source source, IngestError error) {
        String tag = pipeline == null ? UNKNOWN_PIPELINE : pipeline;
        registry.counter(
                        "sluice.ingest.requests",
                        "pipeline",
                        tag,
                        "source",
                        source.wireName(),
                        "status",
                        Integer.toString(error.status()))
                .increment();
        registry.counter(
                        "sluice.ingest.errors",
                        "pipeline",
                        tag,
                        "source",
                        source.wireName(),
                        "code",
                        error.code.wireName())
                .increment();
    }

    AtomicInteger webSocketConnections(String pipeline) {
        return webSocketConnections.get(pipeline);
    }

    private static final class PipelineMeters {
        final Counter ok;
        final Counter records;
        final Counter bytes;
        final Timer produce;

        PipelineMeters(MeterRegistry registry, String pipeline, String source) {
            ok = registry.counter("sluice.ingest.requests", "pipeline", pipeline, "source", source, "status", "200");
            records = Counter.builder("sluice.ingest.records")
                    .description("records acknowledged")
                    .tags("pipeline", pipeline, "source", source)
                    .register(registry);
            bytes = Counter.builder("sluice.ingest.bytes")
                    .description("record bytes acknowledged")
                    .baseUnit("bytes")
                    .tags("pipeline", pipeline, "source", source)
                    .register(registry);
            produce = Timer.builder("sluice.ingest.produce.latency")
                    .description("from handing a request to Kafka to Kafka's commit of it")
                    .tags("pipeline", pipeline, "source", source)
                    .publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofMillis(1))
                    .maximumExpectedValue(Duration.ofSeconds(30))
                    .register(registry);
        }
    }
}

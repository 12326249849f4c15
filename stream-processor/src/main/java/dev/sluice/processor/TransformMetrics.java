package dev.sluice.processor;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The meters of one transform step, tagged {@code pipeline} and {@code transform} (its label):
 * {@code sluice_transform_records_in_total}, {@code _records_out_total}, {@code _records_dropped_total}
 * (inputs it emitted nothing for), {@code _errors_total} (tagged with the step's {@code onError}),
 * and {@code sluice_transform_duration_seconds} (time in {@code apply}, a histogram).
 */
final class TransformMetrics {
    final Counter in;
    final Counter out;
    final Counter dropped;
    final Counter errors;
    final Timer duration;

    TransformMetrics(MeterRegistry registry, String pipeline, String label, String onError) {
        this.in = Counter.builder("sluice.transform.records.in")
                .tags("pipeline", pipeline, "transform", label)
                .description("records given to the transform")
                .register(registry);
        this.out = Counter.builder("sluice.transform.records.out")
                .tags("pipeline", pipeline, "transform", label)
                .description("records the transform emitted")
                .register(registry);
        this.dropped = Counter.builder("sluice.transform.records.dropped")
                .tags("pipeline", pipeline, "transform", label)
                .description("records the transform emitted nothing for")
                .register(registry);
        this.errors = Counter.builder("sluice.transform.errors")
                .tags("pipeline", pipeline, "transform", label, "on_error", onError)
                .description("records on which the transform threw")
                .register(registry);
        this.duration = Timer.builder("sluice.transform.duration")
                .tags("pipeline", pipeline, "transform", label)
                .description("time spent in the transform per record")
                .publishPercentileHistogram()
                .register(registry);
    }
}

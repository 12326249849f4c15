package dev.sluice.processor;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.config.PipelineConfig;
import dev.sluice.config.TransformConfig;
import dev.sluice.transforms.Record;
import dev.sluice.transforms.Transform;
import dev.sluice.transforms.TransformContext;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;

/**
 * A pipeline's transforms, in order. Each stream task owns its own chain (and so its own transform
 * instances), which is what lets a transform assume one thread at a time. Every step is measured
 * on its own ({@link TransformMetrics}).
 */
final class TransformChain implements AutoCloseable {
    private final List<Step> steps;

    private TransformChain(List<Step> steps) {
        this.steps = steps;
    }

    /** Instantiates and opens every transform of the pipeline. */
    static TransformChain open(PipelineConfig pipeline, TransformJars jars, MeterRegistry registry, Lookups lookups) {
        List<Step> steps = new ArrayList<>();
        for (TransformConfig config : pipeline.transforms()) {
            Transform transform = TransformLoader.instantiate(pipeline, config, jars);
            try {
                transform.open(new Context(pipeline.name(), config.label(), config.config(), lookups));
            } catch (Exception e) {
                throw new IllegalStateException(
                        "pipeline " + pipeline.name() + ", transform '" + config.label() + "': open failed: " + e, e);
            }
            steps.add(new Step(
                    config,
                    transform,
                    new TransformMetrics(
                            registry,
                            pipeline.name(),
                            config.label(),
                            config.onError().yamlName())));
        }
        return new TransformChain(steps);
    }

    /** Runs the record through every step; what one step emits is the next one's input. */
    List<Record> apply(Record input) throws TransformFailure {
        List<Record> current = List.of(input);
        for (Step step : steps) {
            List<Record> next = new ArrayList<>(current.size());
            for (Record record : current) {
                int before = next.size();
                step.metrics.in.increment();
                long start = System.nanoTime();
                try {
                    step.transform.apply(record, next::add);
                } catch (Exception | LinkageError e) {
                    step.metrics.errors.increment();
                    throw new TransformFailure(step.config, e);
                } finally {
                    step.metrics.duration.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                }
                int emitted = next.size() - before;
                if (emitted == 0) {
                    step.metrics.dropped.increment();
                } else {
                    step.metrics.out.increment(emitted);
                }
            }
            current = next;
        }
        return current;
    }

    @Override
    public void close() {
        for (Step step : steps) {
            try {
                step.transform.close();
            } catch (Exception e) {
                LoggerFactory.getLogger(TransformChain.class)
                        .warn("transform '{}' failed to close: {}", step.config.label(), e.toString());
            }
        }
    }

    private record Step(TransformConfig config, Transform transform, TransformMetrics metrics) {}

    private record Context(String pipeline, String label, Map<String, Object> config, Lookups lookups)
            implements TransformContext {
        @Override
        public Optional<JsonNode> lookup(String table, String key) {
            return lookups.lookup(table, key);
        }
    }

    /** A transform threw; carries the step, so the caller can apply its {@code onError}. */
    static final class TransformFailure extends Exception {
        final TransformConfig step;

        TransformFailure(TransformConfig step, Throwable cause) {
            super(cause);
            this.step = step;
        }
    }
}

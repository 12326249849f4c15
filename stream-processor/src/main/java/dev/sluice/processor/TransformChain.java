package dev.sluice.processor;

import dev.sluice.config.PipelineConfig;
import dev.sluice.config.TransformConfig;
import dev.sluice.transforms.Record;
import dev.sluice.transforms.Transform;
import dev.sluice.transforms.TransformContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A pipeline's transforms, in order. Each stream task owns its own chain (and so its own transform
 * instances), which is what lets a transform assume one thread at a time.
 */
final class TransformChain implements AutoCloseable {
    private final List<Step> steps;

    private TransformChain(List<Step> steps) {
        this.steps = steps;
    }

    /** Instantiates and opens every transform of the pipeline. */
    static TransformChain open(PipelineConfig pipeline, ClassLoader loader) {
        List<Step> steps = new ArrayList<>();
        for (TransformConfig config : pipeline.transforms()) {
            Transform transform = TransformLoader.instantiate(pipeline, config, loader);
            try {
                transform.open(new Context(pipeline.name(), config.label(), config.config()));
            } catch (Exception e) {
                throw new IllegalStateException("pipeline " + pipeline.name() + ", transform '" + config.label()
                        + "': open failed: " + e, e);
            }
            steps.add(new Step(config.label(), transform));
        }
        return new TransformChain(steps);
    }

    /** Runs the record through every step; what one step emits is the next one's input. */
    List<Record> apply(Record input) throws TransformFailure {
        List<Record> current = List.of(input);
        for (Step step : steps) {
            List<Record> next = new ArrayList<>(current.size());
            for (Record record : current) {
                try {
                    step.transform.apply(record, next::add);
                } catch (Exception | LinkageError e) {
                    throw new TransformFailure(step.label, e);
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
                org.slf4j.LoggerFactory.getLogger(TransformChain.class)
                        .warn("transform '{}' failed to close: {}", step.label, e.toString());
            }
        }
    }

    private record Step(String label, Transform transform) {}

    private record Context(String pipeline, String label, Map<String, Object> config) implements TransformContext {}

    /** A transform threw; carries the label of the step that did. */
    static final class TransformFailure extends Exception {
        final String label;

        TransformFailure(String label, Throwable cause) {
            super(cause);
            this.label = label;
        }
    }
}

package dev.sluice.processor;

import dev.sluice.config.ConfigException;
import dev.sluice.config.PipelineConfig;
import dev.sluice.config.TransformConfig;
import dev.sluice.transforms.Transform;
import java.lang.reflect.InvocationTargetException;

/** Turns a {@code class:} in {@code sluice.yaml} into a {@link Transform}, with errors that name the step. */
final class TransformLoader {
    private TransformLoader() {}

    /** Fails at start-up, before any record is read, if some transform of the pipeline cannot be created. */
    static void check(PipelineConfig pipeline, TransformJars jars) {
        for (TransformConfig config : pipeline.transforms()) {
            instantiate(pipeline, config, jars);
        }
    }

    static Transform instantiate(PipelineConfig pipeline, TransformConfig config, TransformJars jars) {
        String at = "pipeline " + pipeline.name() + ", transform '" + config.label() + "' (class " + config.className()
                + ")";
        String key = "pipelines[" + pipeline.name() + "].transforms[" + config.label() + "].class";
        Class<?> type = jars.load(pipeline, config);
        if (!Transform.class.isAssignableFrom(type)) {
            throw new ConfigException(key, at + ": does not implement " + Transform.class.getName());
        }
        try {
            return (Transform) type.getConstructor().newInstance();
        } catch (NoSuchMethodException e) {
            throw new ConfigException(key, at + ": needs a public no-argument constructor");
        } catch (InvocationTargetException e) {
            throw new ConfigException(key, at + ": constructor failed: " + e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new ConfigException(key, at + ": cannot be created: " + e);
        }
    }
}

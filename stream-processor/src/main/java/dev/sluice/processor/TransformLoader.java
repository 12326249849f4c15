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
    static void check(PipelineConfig pipeline, ClassLoader loader) {
        for (TransformConfig config : pipeline.transforms()) {
            instantiate(pipeline, config, loader);
        }
    }

    static Transform instantiate(PipelineConfig pipeline, TransformConfig config, ClassLoader loader) {
        String at = "pipeline " + pipeline.name() + ", transform '" + config.label() + "' (class " + config.className() + ")";
        Class<?> type;
        try {
            type = Class.forName(config.className(), true, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            throw new ConfigException(key(pipeline, config), at + ": class not found on the classpath");
        }
        if (!Transform.class.isAssignableFrom(type)) {
            throw new ConfigException(key(pipeline, config), at + ": does not implement " + Transform.class.getName());
        }
        try {
            return (Transform) type.getConstructor().newInstance();
        } catch (NoSuchMethodException e) {
            throw new ConfigException(key(pipeline, config), at + ": needs a public no-argument constructor");
        } catch (InvocationTargetException e) {
            throw new ConfigException(key(pipeline, config), at + ": constructor failed: " + e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new ConfigException(key(pipeline, config), at + ": cannot be created: " + e);
        }
    }

    private static String key(PipelineConfig pipeline, TransformConfig config) {
        return "pipelines[" + pipeline.name() + "].transforms[" + config.label() + "].class";
    }
}

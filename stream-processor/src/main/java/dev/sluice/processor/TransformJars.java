package dev.sluice.processor;

import dev.sluice.config.PipelineConfig;
import dev.sluice.config.TransformConfig;
import dev.sluice.config.UserJars;
import java.nio.file.Path;

/**
 * The jars of {@code transforms.dir} ({@link UserJars}): a transform's class is looked up in the jar its
 * config names, else in the one jar that holds it, else on Sluice's own classpath; every failure names
 * the pipeline, label, class and jar.
 */
public final class TransformJars implements AutoCloseable {
    private final UserJars jars;

    private TransformJars(UserJars jars) {
        this.jars = jars;
    }

    /** Opens every jar of {@code dir} (a missing folder means no jars); classes not in a jar come from {@code classpath}. */
    public static TransformJars open(Path dir, ClassLoader classpath) {
        return new TransformJars(UserJars.open(dir, "transforms.dir", classpath));
    }

    /** Only the classpath, no folder of jars. */
    public static TransformJars classpathOnly(ClassLoader classpath) {
        return new TransformJars(UserJars.classpathOnly(classpath));
    }

    /** The class of a transform step, or a {@code ConfigException} that says exactly what is wrong. */
    Class<?> load(PipelineConfig pipeline, TransformConfig step) {
        String at = "pipeline " + pipeline.name() + ", transform '" + step.label() + "' (class " + step.className()
                + (step.jar() == null ? "" : ", jar " + step.jar()) + ")";
        return jars.load(
                step.className(),
                step.jar(),
                at,
                "pipelines[" + pipeline.name() + "].transforms[" + step.label() + "]");
    }

    @Override
    public void close() {
        jars.close();
    }
}

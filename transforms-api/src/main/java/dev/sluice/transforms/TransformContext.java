package dev.sluice.transforms;

import java.util.Map;

/**
 * What a {@link Transform} learns about its place in the pipeline when it is opened.
 *
 * <pre>{@code
 * public void open(TransformContext context) {
 *     this.field = (String) context.config().getOrDefault("field", "userAgent");
 * }
 * }</pre>
 */
public interface TransformContext {

    /** The pipeline's name, e.g. {@code events}. */
    String pipeline();

    /** This step's {@code label} in {@code sluice.yaml}. */
    String label();

    /** This step's {@code config} map in {@code sluice.yaml}; empty when absent. */
    Map<String, Object> config();
}

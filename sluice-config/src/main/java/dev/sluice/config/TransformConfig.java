package dev.sluice.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/**
 * One step of a pipeline's transform chain.
 *
 * @param label     names the step in logs, metrics and DLQ headers
 * @param className the {@code dev.sluice.transforms.Transform} implementation (key {@code class})
 * @param config    free-form settings handed to the transform's {@code open}
 */
public record TransformConfig(String label, @JsonProperty("class") String className, Map<String, Object> config) {
    public TransformConfig {
        config = config == null ? Map.of() : Map.copyOf(config);
    }
}

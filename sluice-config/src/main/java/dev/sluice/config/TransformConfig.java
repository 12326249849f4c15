package dev.sluice.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;
import java.util.Map;

/**
 * One step of a pipeline's transform chain.
 *
 * <pre>{@code
 * transforms:
 *   - label: enrich
 *     class: com.acme.EnrichOrders
 *     jar: acme-transforms.jar      # optional: which jar of transforms.dir holds the class
 *     config: { table: customers }
 *     onError: dlq                  # dlq (default) | skip | fail
 * }</pre>
 *
 * @param label     names the step in logs, metrics and DLQ headers
 * @param className the {@code dev.sluice.transforms.Transform} implementation (key {@code class})
 * @param jar       the jar in {@code transforms.dir} that holds the class; null to search every jar, then the classpath
 * @param config    free-form settings handed to the transform's {@code open}
 * @param onError   what a record on which the transform throws becomes
 */
public record TransformConfig(
        String label,
        @JsonProperty("class") String className,
        String jar,
        Map<String, Object> config,
        OnError onError) {
    public TransformConfig {
        config = config == null ? Map.of() : Map.copyOf(config);
        onError = onError == null ? OnError.DLQ : onError;
    }

    /** Short form: the class on the classpath, errors to the DLQ. */
    public TransformConfig(String label, String className, Map<String, Object> config) {
        this(label, className, null, config, null);
    }

    /** What happens to a record on which a transform throws. */
    public enum OnError {
        /** To {@code {pipeline}.dlq} with the label, exception and message in headers (the default). */
        DLQ,
        /** Dropped and counted in {@code sluice_transform_errors_total}. */
        SKIP,
        /** The pipeline's processor stops, loudly: for transforms whose failure must not be routed around. */
        FAIL;

        @JsonCreator
        static OnError parse(String text) {
            try {
                return valueOf(text.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("'" + text + "' is not an onError policy (dlq, skip, fail)");
            }
        }

        @JsonValue
        public String yamlName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    void validate(String at) {
        if (label == null || label.isBlank()) {
            throw new ConfigException(at + ".label", "is required");
        }
        if (className == null || className.isBlank()) {
            throw new ConfigException(at + ".class", "is required");
        }
        UserJars.requireJarName(jar, at + ".jar", "transforms.dir", "acme-transforms.jar");
    }
}

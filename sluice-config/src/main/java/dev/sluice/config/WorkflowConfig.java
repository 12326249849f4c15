package dev.sluice.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A durable workflow: a {@code dev.sluice.workflows.Workflow} class, what starts its instances, and how
 * long finished ones stay queryable.
 *
 * <pre>{@code
 * workflows:
 *   - name: index-objects              # URL segment, metrics label
 *     class: com.acme.IndexObjects
 *     jar: acme-workflows.jar          # optional: which jar of workflowsDir holds the class
 *     config: { minRows: 10 }          # handed to open()
 *     trigger:
 *       notifications: { pipeline: events }   # one instance per object that pipeline writes
 *       schedule: "0 * * * *"                 # cron, UTC; one instance per tick
 *     retention: 7d
 *     http: { auth: { tokens: ["${WF_TOKEN}"] } }
 * }</pre>
 *
 * @param name      the workflow's name (letters, digits, '_' and '-', at most 64)
 * @param className the implementation (key {@code class})
 * @param jar       the jar in {@code workflowsDir} that holds it; null to search every jar, then the classpath
 * @param config    free-form settings handed to {@code open}
 * @param trigger   what starts instances besides the REST API; absent → REST only
 * @param retention how long a finished instance stays queryable (default 7d)
 * @param http      bearer tokens for its REST API; none → open
 */
public record WorkflowConfig(
        String name,
        @JsonProperty("class") String className,
        String jar,
        Map<String, Object> config,
        Trigger trigger,

        @JsonDeserialize(using = Units.DurationDeserializer.class)
        Duration retention,

        HttpConfig http) {

    public static final Duration DEFAULT_RETENTION = Duration.ofDays(7);

    public WorkflowConfig {
        config = config == null ? Map.of() : Map.copyOf(config);
        trigger = trigger == null ? new Trigger(null, null) : trigger;
        retention = retention == null ? DEFAULT_RETENTION : retention;
        http = http == null ? HttpConfig.DEFAULTS : http;
    }

    /** Short form for tests: the class on the classpath, REST only. */
    public WorkflowConfig(String name, String className) {
        this(name, className, null, null, null, null, null);
    }

    /**
     * What starts a workflow's instances besides the REST API: objects a pipeline writes, a schedule, or both.
     *
     * @param notifications start one instance per object a pipeline writes
     * @param schedule      a five-field cron expression (UTC): one instance per tick
     */
    public record Trigger(Notifications notifications, String schedule) {}

    /**
     * Starts one instance per object a pipeline writes.
     *
     * @param pipeline the pipeline whose objects start instances
     */
    public record Notifications(String pipeline) {}

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    /** {@code pipelines}: the file's pipelines, which a notification trigger must name. */
    void validate(String at, List<PipelineConfig> pipelines) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new ConfigException(
                    at + ".name",
                    "'" + name
                            + "' is not a workflow name (letters, digits, '_' and '-', at most 64; it becomes a URL segment)");
        }
        if (className == null || className.isBlank()) {
            throw new ConfigException(at + ".class", "is required");
        }
        UserJars.requireJarName(jar, at + ".jar", "workflowsDir", "acme-workflows.jar");
        Notifications notifications = trigger.notifications();
        if (notifications != null && pipelines.stream().noneMatch(p -> p.name().equals(notifications.pipeline()))) {
            throw new ConfigException(
                    at + ".trigger.notifications.pipeline",
                    "'" + notifications.pipeline() + "' is not a pipeline of this file; declared: "
                            + pipelines.stream().map(PipelineConfig::name).toList());
        }
        if (trigger.schedule() != null && trigger.schedule().isBlank()) {
            throw new ConfigException(
                    at + ".trigger.schedule", "is empty; write a cron expression such as \"0 * * * *\"");
        }
        if (retention.isZero() || retention.isNegative()) {
            throw new ConfigException(at + ".retention", "must be positive");
        }
        http.validate(at + ".http");
    }
}

package dev.sluice.workflows.engine;

import dev.sluice.config.ConfigException;
import dev.sluice.config.UserJars;
import dev.sluice.config.WorkflowConfig;
import dev.sluice.workflows.Workflow;
import dev.sluice.workflows.WorkflowContext;
import java.lang.reflect.InvocationTargetException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The workflow classes of {@code sluice.yaml}, each loaded (from its jar) and opened once per process. */
final class LoadedWorkflows implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LoadedWorkflows.class);

    private final Map<String, Workflow> byName = new LinkedHashMap<>();

    /** Loads and opens every workflow; a missing class or jar, or a class that is not a Workflow, names all three. */
    LoadedWorkflows(List<WorkflowConfig> workflows, UserJars jars, WorkflowContext.Storage storage) {
        try {
            for (WorkflowConfig config : workflows) {
                byName.put(config.name(), open(config, jars, storage));
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private static Workflow open(WorkflowConfig config, UserJars jars, WorkflowContext.Storage storage) {
        String at = "workflow " + config.name() + " (class " + config.className()
                + (config.jar() == null ? "" : ", jar " + config.jar()) + ")";
        String key = "workflows[" + config.name() + "]";
        Class<?> type = jars.load(config.className(), config.jar(), at, key);
        if (!Workflow.class.isAssignableFrom(type)) {
            throw new ConfigException(
                    key + ".class", at + ": " + type.getName() + " does not implement " + Workflow.class.getName());
        }
        Workflow workflow;
        try {
            workflow = (Workflow) type.getDeclaredConstructor().newInstance();
        } catch (NoSuchMethodException e) {
            throw new ConfigException(key + ".class", at + ": needs a public no-argument constructor");
        } catch (InvocationTargetException e) {
            throw new ConfigException(key + ".class", at + ": its constructor threw " + e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new ConfigException(key + ".class", at + ": cannot be instantiated: " + e);
        }
        try {
            workflow.open(new WorkflowContext() {
                @Override
                public String workflow() {
                    return config.name();
                }

                @Override
                public Map<String, Object> config() {
                    return config.config();
                }

                @Override
                public Storage storage() {
                    return storage;
                }
            });
        } catch (Exception e) {
            throw new ConfigException(key + ".config", at + ": open() failed: " + e);
        }
        return workflow;
    }

    Workflow get(String name) {
        return byName.get(name);
    }

    @Override
    public void close() {
        for (Map.Entry<String, Workflow> entry : byName.entrySet()) {
            try {
                entry.getValue().close();
            } catch (Exception e) {
                log.warn("workflow {}: close() failed", entry.getKey(), e);
            }
        }
        byName.clear();
    }
}

package dev.sluice.workflows.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.config.ConfigException;
import dev.sluice.config.UserJars;
import dev.sluice.config.WorkflowConfig;
import dev.sluice.workflows.Workflow;
import dev.sluice.workflows.WorkflowContext;
import dev.sluice.workflows.WorkflowEvent;
import dev.sluice.workflows.WorkflowStep;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Start-up errors a user can fix name the workflow, the class and the jar; a good class is opened once with its config. */
class LoadedWorkflowsTest {
    static final AtomicInteger OPENED = new AtomicInteger();

    public static final class Counting implements Workflow {
        @Override
        public void open(WorkflowContext context) {
            OPENED.addAndGet(context.configInt("add", 0));
        }

        @Override
        public Object run(WorkflowEvent event, WorkflowStep step) {
            return null;
        }
    }

    public static final class NotAWorkflow {}

    @TempDir
    Path jarsDir;

    private ConfigException failure(WorkflowConfig config) {
        UserJars jars = UserJars.open(jarsDir, "workflowsDir", getClass().getClassLoader());
        return assertThrows(
                ConfigException.class, () -> new LoadedWorkflows(List.of(config), jars, WorkflowContext.Storage.NONE));
    }

    @Test
    void aMissingClassNamesWorkflowClassAndWhereItLooked() {
        ConfigException e = failure(new WorkflowConfig("index", "com.acme.Missing"));
        assertTrue(e.getMessage().contains("workflow index (class com.acme.Missing)"), e.getMessage());
        assertTrue(e.getMessage().contains("not in workflowsDir " + jarsDir), e.getMessage());
    }

    @Test
    void aMissingJarIsNamed() {
        ConfigException e = failure(new WorkflowConfig("index", "com.acme.Index", "acme.jar", null, null, null, null));
        assertTrue(
                e.getMessage()
                        .contains(
                                "workflow index (class com.acme.Index, jar acme.jar): no jar acme.jar in workflowsDir"),
                e.getMessage());
    }

    @Test
    void aClassThatIsNotAWorkflowIsRefused() {
        ConfigException e = failure(new WorkflowConfig("index", NotAWorkflow.class.getName()));
        assertTrue(e.getMessage().contains("does not implement dev.sluice.workflows.Workflow"), e.getMessage());
    }

    @Test
    void aWorkflowIsOpenedOnceWithItsConfig() {
        int before = OPENED.get();
        UserJars jars = UserJars.classpathOnly(getClass().getClassLoader());
        try (LoadedWorkflows loaded = new LoadedWorkflows(
                List.of(new WorkflowConfig("w", Counting.class.getName(), null, Map.of("add", 5), null, null, null)),
                jars,
                WorkflowContext.Storage.NONE)) {
            assertEquals(before + 5, OPENED.get());
            assertTrue(loaded.get("w") instanceof Counting);
        }
    }
}

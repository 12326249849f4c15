package dev.sluice.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.config.SluiceConfig;
import dev.sluice.config.UserJars;
import dev.sluice.workflows.engine.WorkflowEngine;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What lets a process live through an engine that is slow to start (after a crash it rebuilds its stores
 * from Kafka): {@code awaitRunning} gives up waiting without throwing, and {@code notReady}, which the
 * process's /healthz reports, names the engine until it has run.
 */
class WorkflowEngineStartTest {
    @TempDir
    Path dir;

    @Test
    void anEngineStillStartingIsNotReadyAndNotAFailure() throws Exception {
        DevStack stack = DevStack.start(
                TestStack.config("""
                        pipelines:
                          - name: events
                        workflows:
                          - name: sleeper
                            class: dev.sluice.server.TestWorkflows$Sleeper
                        """), TestStack.freePorts(dir.resolve("stack")), Set.of(Role.INGEST), written -> {});
        SluiceConfig config = stack.config();
        try (UserJars jars = UserJars.classpathOnly(getClass().getClassLoader());
                WorkflowEngine engine = WorkflowEngine.start(
                        config.workflows(),
                        jars,
                        config.kafka(),
                        config.storage(),
                        dir.resolve("state"),
                        "start-test",
                        DevOptions.HOST + ":1",
                        new SimpleMeterRegistry())) {
            // Joining the group alone takes longer than this: the engine cannot be ready yet.
            assertFalse(engine.awaitRunning(Duration.ZERO), "running before it joined its group");
            assertNotNull(engine.notReady());

            await().atMost(Duration.ofSeconds(60)).until(() -> engine.notReady() == null);
            assertTrue(engine.awaitRunning(Duration.ZERO));
            assertNull(engine.notReady());
        } finally {
            stack.close();
        }
    }
}

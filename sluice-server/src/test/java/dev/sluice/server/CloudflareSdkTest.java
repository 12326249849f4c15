package dev.sluice.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cloudflare's official npm SDK ({@code cloudflare@7.3.0}) against Sluice's workflows REST API, with only
 * its base URL changed: create with string params, get, bulk, auto-paginated list, pause, event,
 * resume, restart from a step, terminate, a 404 as the SDK's NotFoundError. {@code .ci/run} installs the
 * SDK ({@code npm ci} in {@code src/test/node}) and sets {@code SLUICE_REQUIRE_NODE_SDK=1}, so CI cannot
 * skip this; elsewhere it runs when the SDK is installed.
 */
class CloudflareSdkTest {
    private static final Path NODE_DIR = Path.of("src/test/node").toAbsolutePath();

    @TempDir
    Path dataDir;

    @Test
    void theOfficialSdkWorksWithOnlyItsBaseUrlChanged() throws Exception {
        boolean installed = Files.isDirectory(NODE_DIR.resolve("node_modules/cloudflare"));
        if ("1".equals(System.getenv("SLUICE_REQUIRE_NODE_SDK"))) {
            assertTrue(installed, "the Cloudflare SDK is not installed in " + NODE_DIR + " (run npm ci there)");
        }
        assumeTrue(
                installed,
                "the Cloudflare SDK is not installed in " + NODE_DIR + "; run npm ci there to include this test");
        try (TestStack.Running running = TestStack.Running.start(dataDir, """
                pipelines:
                  - name: events
                workflows:
                  - name: sleeper
                    class: dev.sluice.server.TestWorkflows$Sleeper
                    http: { auth: { tokens: [sdk-token] } }
                  - name: gate
                    class: dev.sluice.server.TestWorkflows$Gate
                    http: { auth: { tokens: [sdk-token] } }
                """)) {
            Process node = new ProcessBuilder(List.of(
                            "node",
                            "workflows-sdk.mjs",
                            running.stack().httpBaseUrl() + "/client/v4",
                            "sluice",
                            "sdk-token",
                            "sleeper",
                            "gate"))
                    .directory(NODE_DIR.toFile())
                    .redirectErrorStream(true)
                    .start();
            assertTrue(node.waitFor(120, TimeUnit.SECONDS), "the SDK script did not finish in 120 s");
            String out = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            assertEquals(0, node.exitValue(), out);
            JsonNode seen = new ObjectMapper().readTree(out.substring(out.lastIndexOf('\n') + 1));
            assertEquals("sdk-1", seen.path("created").path("id").asText());
            // The create answers once the instance can be read: it may have run on already.
            assertTrue(
                    java.util.Set.of("queued", "running", "waiting", "complete")
                            .contains(seen.path("created").path("status").asText()),
                    seen::toString);
            assertEquals(11, seen.path("output").asInt());
            assertEquals(
                    "[\"step:first\",\"sleep:nap\",\"step:second\"]",
                    seen.path("stepTypes").toString());
            assertEquals("api", seen.path("trigger").asText());
            assertEquals(
                    "[\"sdk-b1\",\"sdk-b2\",\"sdk-b3\",\"sdk-b4\",\"sdk-b5\"]",
                    seen.path("bulk").toString());
            assertEquals(
                    "[\"sdk-1\",\"sdk-b1\",\"sdk-b2\",\"sdk-b3\",\"sdk-b4\",\"sdk-b5\"]",
                    seen.path("listed").toString());
            assertEquals("sdk-g", seen.path("eventInstance").asText());
            assertEquals("from-sdk", seen.path("gateOutput").asText());
            assertTrue(seen.path("terminated").asBoolean());
            assertEquals("NotFoundError 404", seen.path("notFound").asText());
            assertEquals("sleeper", seen.path("workflowName").asText());
        }
    }
}

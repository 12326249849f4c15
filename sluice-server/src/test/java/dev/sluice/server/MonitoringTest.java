package dev.sluice.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Grafana dashboard and the Prometheus alert rules under {@code deploy/}: every metric they query is one a
 * running Sluice exports, and the rules pass Prometheus's own checker and their unit tests ({@code promtool}).
 */
class MonitoringTest {
    private static final Path DEPLOY = Path.of("..", "deploy").toAbsolutePath().normalize();
    private static final Path PROMTOOL = Path.of("/usr/bin/promtool");
    private static final Pattern METRIC = Pattern.compile("\\bsluice_[a-z_]+");

    @RegisterExtension
    static final StackExtension running = new StackExtension("""
                        pipelines:
                          - name: events
                            transforms: [ { label: fail-on-bad, class: dev.sluice.server.FailOnBad } ]
                            sink: { batch: { maxDuration: 1s } }
                        workflows:
                          - name: flaky
                            class: dev.sluice.server.TestWorkflows$Flaky
                        """);

    @Test
    void everyMetricTheDashboardAndTheAlertsQueryIsExported() throws Exception {
        DevStack stack = running.stack();
        TestStack.postAcked(stack, "events", List.of("{\"id\":\"a\"}", "{\"id\":\"b\",\"bad\":1}"));
        await().atMost(Duration.ofMinutes(1))
                .until(() -> TestStack.get(stack, "/metrics")
                        .body()
                        .contains("sluice_sink_objects_total{pipeline=\"events\"} 1.0"));
        // A workflow instance whose step fails once, then completes: the workflow meters have values.
        WorkflowsClient workflows = new WorkflowsClient(stack, "sluice", null);
        assertEquals(
                200,
                workflows
                        .post("/flaky/instances", "{\"instance_id\":\"m-1\",\"params\":{\"failures\":1}}")
                        .status());
        await().atMost(Duration.ofMinutes(1))
                .until(() -> workflows.status("flaky", "m-1").equals("complete"));
        String scraped = TestStack.get(stack, "/metrics").body();
        Set<String> exported = new TreeSet<>();
        scraped.lines().filter(l -> l.startsWith("sluice_")).forEach(l -> exported.add(l.split("[{ ]", 2)[0]));

        Set<String> queried = new TreeSet<>();
        JsonNode dashboard = new ObjectMapper()
                .readTree(DEPLOY.resolve("grafana/dashboards/sluice.json").toFile());
        List<String> expressions = new ArrayList<>();
        dashboard
                .path("panels")
                .forEach(p -> p.path("targets")
                        .forEach(t -> expressions.add(t.path("expr").asText())));
        dashboard
                .path("templating")
                .path("list")
                .forEach(v -> expressions.add(v.path("definition").asText()));
        JsonNode rules = new ObjectMapper(new YAMLFactory())
                .readTree(DEPLOY.resolve("prometheus/alerts.yml").toFile());
        rules.path("groups")
                .forEach(g -> g.path("rules")
                        .forEach(r -> expressions.add(r.path("expr").asText())));
        assertTrue(expressions.size() > 20, "read the dashboard's and the rules' queries: " + expressions.size());
        for (String expression : expressions) {
            Matcher m = METRIC.matcher(expression);
            while (m.find()) {
                queried.add(m.group());
            }
        }
        Set<String> missing = new TreeSet<>(queried);
        missing.removeAll(exported);
        assertEquals(Set.of(), missing, "queried but not exported; exported: " + exported);
    }

    @Test
    void theAlertRulesPassPromtoolAndTheirUnitTests() throws Exception {
        boolean present = Files.isExecutable(PROMTOOL);
        if ("1".equals(System.getenv("SLUICE_REQUIRE_PROMTOOL"))) {
            assertTrue(present, "SLUICE_REQUIRE_PROMTOOL=1 but /usr/bin/promtool is missing; .ci/run installs it");
        }
        assumeTrue(present, "promtool is not installed (apt-get install prometheus); CI installs it");
        assertEquals("", promtool("check", "rules", "alerts.yml"));
        assertEquals("", promtool("test", "rules", "alerts.test.yml"));
    }

    /** Runs promtool in deploy/prometheus; "" when it succeeded, else what it said. */
    private static String promtool(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(PROMTOOL.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command)
                .directory(DEPLOY.resolve("prometheus").toFile())
                .redirectErrorStream(true)
                .start();
        String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(1, TimeUnit.MINUTES), "promtool did not finish");
        return p.exitValue() == 0 ? "" : String.join(" ", args) + " failed:\n" + output;
    }
}

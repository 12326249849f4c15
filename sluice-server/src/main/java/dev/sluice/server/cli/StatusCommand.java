package dev.sluice.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sluice status [--watch]}: every pipeline and workflow of a running Sluice, one line each.
 *
 * <pre>{@code
 * $ sluice status
 * PIPELINE  IN/S    OUT/S   BACKLOG  LAG  FRESHNESS  DLQ
 * events    2410.3  2398.0  5120     12   3.1s       0
 *
 * WORKFLOW        QUEUED  RUNNING  PAUSED  WAITING  WAITINGFORPAUSE  ERRORED  TERMINATED  COMPLETE
 * order-approval  0       1        0       3        0                0        0           12
 * }</pre>
 */
@Command(
        name = "status",
        description =
                "Every pipeline (rates, backlog, freshness, DLQ) and workflow (instances by status), one line each.",
        mixinStandardHelpOptions = true)
public final class StatusCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Moves the cursor home and clears the terminal: a redraw. */
    public static final String CLEAR = "\033[H\033[2J";

    @Mixin
    ApiOptions api;

    @Spec
    CommandSpec spec;

    @Mixin
    AccountOption account;

    @Option(
            names = {"-w", "--watch"},
            description = "redraw every --interval seconds until interrupted")
    boolean watch;

    @Option(
            names = "--interval",
            defaultValue = "2",
            description = "seconds between redraws (default ${DEFAULT-VALUE})")
    int interval;

    @Override
    public Integer call() {
        if (!watch) {
            return Output.run(spec, this::render);
        }
        PrintWriter out = spec.commandLine().getOut();
        while (!Thread.currentThread().isInterrupted()) {
            String frame;
            try {
                frame = render();
            } catch (ApiClient.Failure e) {
                frame = "sluice: " + e.getMessage(); // shown, and tried again at the next redraw
            }
            out.print(CLEAR + frame + "\n");
            out.flush();
            try {
                Thread.sleep(interval * 1000L);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return 0;
    }

    private String render() throws ApiClient.Failure {
        ApiClient client = api.client();
        JsonNode pipelines = client.get("/pipelines");
        JsonNode workflows;
        try {
            workflows = client.workflows(account.account).get("");
        } catch (ApiClient.Failure e) {
            if (e.status != 404) {
                throw e;
            }
            workflows = null; // no workflows here: this process does not run them, or none are configured
        }
        if (api.json) {
            ObjectNode both = JSON.createObjectNode();
            both.set("pipelines", pipelines);
            both.set("workflows", workflows == null ? JSON.createArrayNode() : workflows);
            return both.toString();
        }
        String text = PipelinesCommand.table(pipelines);
        if (workflows != null && !workflows.isEmpty()) {
            text += "\n\n" + WorkflowsCommand.table(workflows);
        }
        return text;
    }
}

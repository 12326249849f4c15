package dev.sluice.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sluice backfill <p> --from s3://bucket/prefix/ [--since …] [--until …]}: re-ingests NDJSON objects into a
 * pipeline, with a progress bar until it is done.
 *
 * <pre>{@code
 * $ sluice backfill events-v2 --from s3://sluice/events/ --since 7d
 * [##############################] 40/40 objects, 400,000 records, 0 skipped: done
 * }</pre>
 */
@Command(
        name = "backfill",
        description =
                "Re-ingest NDJSON objects from a bucket into a pipeline, each object once, and show the progress.",
        mixinStandardHelpOptions = true)
public final class BackfillCommand extends PipelineApiCommand {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int BAR = 30;

    @Option(
            names = "--from",
            required = true,
            description = "s3://bucket/prefix/ of the objects (the pipeline's store)")
    String from;

    @Option(names = "--since", description = "only objects written since: an instant or a time ago (30m, 2h, 7d)")
    String since;

    @Option(names = "--until", description = "only objects written before: an instant or a time ago")
    String until;

    Clock clock = Clock.systemUTC();

    @Override
    public Integer call() {
        ObjectNode body = JSON.createObjectNode().put("from", from);
        if (since != null) {
            body.put("since", When.parse(spec, "--since", since, clock).toString());
        }
        if (until != null) {
            body.put("until", When.parse(spec, "--until", until, clock).toString());
        }
        PrintWriter out = spec.commandLine().getOut();
        int[] exit = {0};
        int code = Output.run(spec, () -> {
            ApiClient client = api.client();
            JsonNode backfill = client.post("/pipelines/" + pipeline + "/backfills", body);
            String id = backfill.path("id").asText();
            while (List.of("queued", "running").contains(backfill.path("state").asText())) {
                if (!api.json) {
                    out.print("\r" + progress(backfill));
                    out.flush();
                }
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ApiClient.Failure("interrupted; backfill " + id + " goes on in Sluice");
                }
                backfill = client.get("/backfills/" + id);
            }
            if (backfill.path("state").asText().equals("failed")) {
                exit[0] = 1;
            }
            if (api.json) {
                return backfill.toString();
            }
            String last =
                    "\r" + progress(backfill) + ": " + backfill.path("state").asText();
            return backfill.path("error").isTextual()
                    ? last + " (" + backfill.path("error").asText() + ")"
                    : last;
        });
        return code != 0 ? code : exit[0];
    }

    /** A bar of objects done or skipped, then the counts. */
    static String progress(JsonNode backfill) {
        JsonNode objects = backfill.path("objects");
        long total = objects.path("total").asLong();
        long passed = objects.path("done").asLong() + objects.path("skipped").asLong();
        int filled = total == 0 ? BAR : (int) (BAR * passed / total);
        return "[" + "#".repeat(filled) + " ".repeat(BAR - filled) + "] "
                + String.format(
                        Locale.ROOT,
                        "%d/%d objects, %,d records, %d skipped",
                        passed,
                        total,
                        backfill.path("records").asLong(),
                        objects.path("skipped").asLong());
    }
}

package dev.sluice.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sluice dlq list|replay <p>}: a pipeline's dead letters not yet put back, and putting them back.
 *
 * <pre>{@code
 * $ sluice dlq replay events --stage transform --transform redact --since 2h
 * replayed 41, already replayed 3, not matched 7
 * }</pre>
 */
@Command(
        name = "dlq",
        description = "See and replay a pipeline's dead letters.",
        mixinStandardHelpOptions = true,
        subcommands = {DlqCommand.ListDeadLetters.class, DlqCommand.Replay.class})
public final class DlqCommand implements Runnable {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "list", description = "The last dead letters that no replay has put back yet, with their reasons.")
    static final class ListDeadLetters extends PipelineApiCommand {
        @Option(
                names = {"-n", "--lines"},
                defaultValue = "100",
                description = "how many of the last dead letters to look at (default ${DEFAULT-VALUE})")
        int lines;

        @Override
        public Integer call() {
            return Output.run(spec, () -> {
                JsonNode dead = api.client().get("/pipelines/" + pipeline + "/dead-letters?last=" + lines);
                StringBuilder out = new StringBuilder();
                for (JsonNode r : dead) {
                    out.append(api.json ? r.toString() : RecordLine.of(r)).append('\n');
                }
                return out.toString().stripTrailing();
            });
        }
    }

    @Command(
            name = "replay",
            description = "Put dead letters back into the pipeline, each once: running it again puts back only"
                    + " what failed since.")
    static final class Replay extends PipelineApiCommand {
        @Option(
                names = "--stage",
                description = "only those that failed here: parse, schema, transform, partition, parquet, idempotency")
        String stage;

        @Option(names = "--transform", description = "only those the transform with this label threw on")
        String transform;

        @Option(
                names = "--since",
                description =
                        "only those accepted since: an instant (2026-11-28T08:00:00Z) or a time ago (30m, 2h, 1d)")
        String since;

        @Option(names = "--until", description = "only those accepted before: an instant or a time ago")
        String until;

        Clock clock = Clock.systemUTC();

        @Override
        public Integer call() {
            ObjectNode body = JSON.createObjectNode();
            if (stage != null) {
                body.put("stage", stage);
            }
            if (transform != null) {
                body.put("transform", transform);
            }
            if (since != null) {
                body.put("since", When.parse(spec, "--since", since, clock).toString());
            }
            if (until != null) {
                body.put("until", When.parse(spec, "--until", until, clock).toString());
            }
            return Output.run(spec, () -> {
                JsonNode done = api.client().post("/pipelines/" + pipeline + "/dead-letters/replay", body);
                if (api.json) {
                    return done.toString();
                }
                return "replayed " + done.path("replayed").asLong() + ", already replayed "
                        + done.path("alreadyReplayed").asLong() + ", not matched "
                        + done.path("notMatched").asLong();
            });
        }
    }
}

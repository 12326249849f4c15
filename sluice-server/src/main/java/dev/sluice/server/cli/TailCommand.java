package dev.sluice.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sluice tail <p> [--out|--dlq] [-n N] [--follow]}: a pipeline's records as they are in Kafka, one per line
 * (when it was written, where, and the record; a dead letter also says why).
 *
 * <pre>{@code
 * $ sluice tail events --dlq -n 1
 * 2026-11-28T08:12:03.120Z  events.dlq 0@17  transform redact: IllegalArgumentException: no email  {"id":"a1"}
 * }</pre>
 */
@Command(
        name = "tail",
        description = "Print a pipeline's last records, and with --follow each new one as it is committed.",
        mixinStandardHelpOptions = true)
public final class TailCommand extends PipelineApiCommand {
    @ArgGroup(exclusive = true)
    Which which = new Which();

    static final class Which {
        @Option(names = "--out", description = "its output topic, after the transforms")
        boolean out;

        @Option(names = "--dlq", description = "its dead-letter topic, with each record's reason")
        boolean dlq;

        String topic() {
            return out ? "out" : dlq ? "dlq" : "in";
        }
    }

    @Option(
            names = {"-n", "--lines"},
            defaultValue = "10",
            description = "how many of the last records to print (default ${DEFAULT-VALUE}, at most 1000)")
    int lines;

    @Option(
            names = {"-f", "--follow"},
            description = "then print each new record as it is committed, until interrupted")
    boolean follow;

    @Option(
            names = "--next",
            paramLabel = "N",
            description = "instead: wait for the next N records committed, print them, and stop")
    int next;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        return Output.run(spec, () -> {
            ApiClient client = api.client();
            String base = "/pipelines/" + pipeline + "/records";
            String topic = "topic=" + which.topic();
            if (next > 0) {
                client.stream(base + "/live?" + topic + "&limit=" + next, r -> {
                    out.println(line(r));
                    out.flush();
                });
                return "";
            }
            for (JsonNode r : client.get(base + "?" + topic + "&last=" + lines)) {
                out.println(line(r));
            }
            out.flush();
            if (follow) {
                client.stream(base + "/live?" + topic, r -> {
                    out.println(line(r));
                    out.flush();
                });
            }
            return "";
        });
    }

    private String line(JsonNode r) {
        return api.json ? r.toString() : RecordLine.of(r);
    }
}

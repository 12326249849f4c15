package dev.sluice.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.wire.SluiceHeaders;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

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
public final class TailCommand implements Callable<Integer> {
    @Mixin
    ApiOptions api;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "<pipeline>", description = "the pipeline's name")
    String pipeline;

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

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        return Output.run(spec, () -> {
            ApiClient client = api.client();
            String base = "/pipelines/" + pipeline + "/records";
            String topic = "topic=" + which.topic();
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
        if (api.json) {
            return r.toString();
        }
        StringBuilder line = new StringBuilder()
                .append(Instant.ofEpochMilli(r.path("timestamp").asLong()))
                .append("  ")
                .append(r.path("topic").asText())
                .append(' ')
                .append(r.path("partition").asInt())
                .append('@')
                .append(r.path("offset").asLong())
                .append("  ");
        JsonNode headers = r.path("headers");
        if (headers.has(SluiceHeaders.ERROR_STAGE)) {
            line.append(headers.path(SluiceHeaders.ERROR_STAGE).asText());
            if (headers.has(SluiceHeaders.ERROR_TRANSFORM)) {
                line.append(' ')
                        .append(headers.path(SluiceHeaders.ERROR_TRANSFORM).asText());
            }
            line.append(": ")
                    .append(headers.path(SluiceHeaders.ERROR_MESSAGE).asText(""))
                    .append("  ");
        }
        JsonNode value = r.path("value");
        return line.append(value.isTextual() ? value.asText() : value.toString())
                .toString();
    }
}

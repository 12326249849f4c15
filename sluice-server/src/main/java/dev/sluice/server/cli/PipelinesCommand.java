package dev.sluice.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code sluice pipelines list|describe <p>}: the pipelines of a running Sluice, through its operator API.
 *
 * <pre>{@code
 * $ sluice pipelines list --url http://127.0.0.1:8080
 * PIPELINE  IN/S   OUT/S  BACKLOG  LAG  FRESHNESS  DLQ
 * events    812.0  811.0  1204     0    1.4s       3
 * }</pre>
 */
@Command(
        name = "pipelines",
        description = "List or describe the pipelines of a running Sluice.",
        mixinStandardHelpOptions = true,
        subcommands = {PipelinesCommand.ListPipelines.class, PipelinesCommand.DescribePipeline.class})
public final class PipelinesCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "list", description = "Each pipeline on one line: rates, backlog, processor lag, DLQ.")
    static final class ListPipelines implements Callable<Integer> {
        @Mixin
        ApiOptions api;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            return Output.run(spec, () -> {
                JsonNode pipelines = api.client().get("/pipelines");
                if (api.json) {
                    return pipelines.toString();
                }
                return table(pipelines);
            });
        }
    }

    @Command(name = "describe", description = "One pipeline: topics, figures, transforms and sink settings.")
    static final class DescribePipeline extends PipelineApiCommand {
        @Override
        public Integer call() {
            return Output.run(spec, () -> {
                JsonNode p = api.client().get("/pipelines/" + pipeline);
                if (api.json) {
                    return p.toString();
                }
                JsonNode s = p.path("stats");
                JsonNode sink = p.path("sink");
                List<List<String>> rows = new ArrayList<>();
                rows.add(List.of("pipeline", p.path("name").asText()));
                rows.add(List.of("partitions", p.path("partitions").asText()));
                rows.add(List.of(
                        "topics",
                        p.path("topics").path("input").asText() + " → "
                                + p.path("topics").path("output").asText() + ", dead letters "
                                + p.path("topics").path("deadLetter").asText()));
                rows.add(List.of(
                        "records/s",
                        rate(s.path("recordsInPerSecond")) + " in, " + rate(s.path("recordsOutPerSecond")) + " out"));
                rows.add(List.of("backlog", count(s.path("backlog"))));
                rows.add(List.of("processor lag", count(s.path("processorLag"))));
                rows.add(List.of(
                        "freshness",
                        s.path("freshnessSeconds").isNumber()
                                ? rate(s.path("freshnessSeconds")) + " s (the oldest record not yet in an object)"
                                : "-"));
                rows.add(List.of("dead-lettered", count(s.path("deadLettered"))));
                List<String> transforms = new ArrayList<>();
                p.path("transforms")
                        .forEach(t -> transforms.add(t.path("label").asText() + " ("
                                + t.path("class").asText() + ", onError "
                                + t.path("onError").asText() + ")"));
                rows.add(List.of("transforms", transforms.isEmpty() ? "none" : String.join(", ", transforms)));
                rows.add(List.of(
                        "sink",
                        "s3://" + sink.path("bucket").asText() + "/"
                                + sink.path("prefix").asText() + "/, "
                                + sink.path("format").asText() + " "
                                + sink.path("compression").asText()
                                + ", every "
                                + sink.path("batch").path("maxRecords").asText() + " records, "
                                + sink.path("batch").path("maxBytes").asText() + " bytes or "
                                + sink.path("batch").path("maxDurationSeconds").asText() + " s"));
                String table = Output.table(rows);
                JsonNode objects = p.path("recentObjects");
                if (objects.isEmpty()) {
                    return table + "\n\nobjects written: none lately";
                }
                List<List<String>> written = new ArrayList<>();
                written.add(List.of("WRITTEN", "RECORDS", "BYTES", "KEY"));
                for (JsonNode o : objects) {
                    written.add(List.of(
                            o.path("eventTime").asText(),
                            o.path("records").asText(),
                            o.path("object").path("size").asText(),
                            o.path("object").path("key").asText()));
                }
                return table + "\n\n" + Output.table(written);
            });
        }
    }

    /** Each pipeline on one line, as {@code list} and {@code sluice status} show them. */
    static String table(JsonNode pipelines) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("PIPELINE", "IN/S", "OUT/S", "BACKLOG", "LAG", "FRESHNESS", "DLQ"));
        for (JsonNode p : pipelines) {
            JsonNode s = p.path("stats");
            rows.add(List.of(
                    p.path("name").asText(),
                    rate(s.path("recordsInPerSecond")),
                    rate(s.path("recordsOutPerSecond")),
                    count(s.path("backlog")),
                    count(s.path("processorLag")),
                    s.path("freshnessSeconds").isNumber() ? rate(s.path("freshnessSeconds")) + "s" : "-",
                    count(s.path("deadLettered"))));
        }
        return Output.table(rows);
    }

    private static String rate(JsonNode value) {
        return value.isNumber() ? String.format(Locale.ROOT, "%.1f", value.asDouble()) : "-";
    }

    private static String count(JsonNode value) {
        return value.isNumber() ? Long.toString(value.asLong()) : "-";
    }
}

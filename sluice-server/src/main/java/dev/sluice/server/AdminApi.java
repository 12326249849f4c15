package dev.sluice.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.config.PipelineConfig;
import dev.sluice.config.SinkConfig;
import dev.sluice.config.SluiceConfig;
import dev.sluice.config.TransformConfig;
import dev.sluice.ingest.ErrorCode;
import dev.sluice.ingest.IngestError;
import dev.sluice.ingest.Responses;
import dev.sluice.ingest.TokenCheck;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;

/**
 * The operator API under {@code /api/v1}, JSON in Cloudflare's envelope ({@code {"success":…,"result":…}}),
 * served on the admin port and on the ingest port, behind the bearer tokens of {@code admin.tokens} (open
 * without any). Today: the pipelines, each with its settings and the figures {@link BacklogMonitor} measures.
 *
 * <pre>{@code
 * curl -H 'Authorization: Bearer $TOKEN' http://127.0.0.1:8080/api/v1/pipelines/events
 * }</pre>
 */
final class AdminApi {
    static final String BASE = "/api/v1";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SluiceConfig config;
    private final BacklogMonitor monitor;
    private final TokenCheck tokens;

    AdminApi(SluiceConfig config, BacklogMonitor monitor) {
        this.config = config;
        this.monitor = monitor;
        this.tokens = new TokenCheck(config.admin().tokens());
    }

    boolean isOpen() {
        return tokens.isOpen();
    }

    void register(RoutesConfig routes) {
        routes.get(BASE + "/pipelines", authorized(this::listPipelines));
        routes.get(BASE + "/pipelines/{pipeline}", authorized(this::describePipeline));
    }

    private Handler authorized(Handler handler) {
        return ctx -> {
            try {
                tokens.require(ctx.header("Authorization"), null);
                handler.handle(ctx);
            } catch (IngestError e) {
                // The admin port has none of the ingest port's error handlers: answer here, the same shape.
                Responses.error(ctx, e);
            }
        };
    }

    private void listPipelines(Context ctx) {
        ArrayNode result = JSON.createArrayNode();
        config.pipelines().forEach(p -> result.add(summary(p)));
        ok(ctx, result);
    }

    private void describePipeline(Context ctx) {
        String name = ctx.pathParam("pipeline");
        PipelineConfig pipeline = config.pipeline(name)
                .orElseThrow(() -> new IngestError(ErrorCode.UNKNOWN_PIPELINE, "no pipeline named '" + name + "'"));
        ObjectNode result = summary(pipeline);
        result.put("partitionKey", pipeline.partitionKey());
        ArrayNode transforms = result.putArray("transforms");
        for (TransformConfig t : pipeline.transforms()) {
            transforms
                    .addObject()
                    .put("label", t.label())
                    .put("class", t.className())
                    .put("onError", t.onError().name().toLowerCase(java.util.Locale.ROOT));
        }
        SinkConfig sink = pipeline.sink();
        ObjectNode out = result.putObject("sink");
        out.put("bucket", sink.bucket())
                .put("prefix", sink.prefix())
                .put("format", sink.format().name().toLowerCase(java.util.Locale.ROOT))
                .put("compression", sink.compression().name().toLowerCase(java.util.Locale.ROOT));
        out.putObject("batch")
                .put("maxRecords", sink.batch().maxRecords())
                .put("maxBytes", sink.batch().maxBytes())
                .put("maxDurationSeconds", sink.batch().maxDuration().toSeconds());
        ok(ctx, result);
    }

    /** Name, topics and the last measured figures; the figures are null until the first measurement. */
    private ObjectNode summary(PipelineConfig p) {
        ObjectNode node = JSON.createObjectNode();
        node.put("name", p.name()).put("partitions", p.partitions());
        node.putObject("topics")
                .put("input", p.topic())
                .put("output", p.outputTopic())
                .put("deadLetter", p.dlqTopic());
        ObjectNode figures = node.putObject("stats");
        monitor.stats(p.name())
                .ifPresentOrElse(
                        s -> figures.put("recordsIn", s.recordsIn())
                                .put("recordsOut", s.recordsOut())
                                .put("recordsInPerSecond", s.inPerSecond())
                                .put("recordsOutPerSecond", s.outPerSecond())
                                .put("backlog", s.backlog())
                                .put("processorLag", s.processorLag())
                                .put("deadLettered", s.deadLettered()),
                        () -> node.putNull("stats"));
        return node;
    }

    private static void ok(Context ctx, Object result) {
        ObjectNode body = JSON.createObjectNode().put("success", true);
        body.set("result", JSON.valueToTree(result));
        ctx.contentType("application/json").result(body.toString());
    }
}

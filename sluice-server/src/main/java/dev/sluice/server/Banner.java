package dev.sluice.server;

import dev.sluice.config.BatchConfig;
import dev.sluice.config.PipelineConfig;
import dev.sluice.config.SinkConfig;
import dev.sluice.config.WorkflowConfig;
import dev.sluice.server.admin.AdminApi;
import java.nio.file.Path;
import java.util.Locale;

/** What {@code sluice dev} prints once it is up: per pipeline, where to send data and where it lands. */
final class Banner {
    private Banner() {}

    static String render(DevStack stack) {
        StringBuilder out = new StringBuilder();
        Path dataDir = stack.options().dataDir().toAbsolutePath().normalize();
        out.append("\nSluice is running (dev). Data directory: ")
                .append(dataDir)
                .append("\n");
        out.append("Transforms  jars from ")
                .append(
                        stack.config().transforms().dir() != null
                                ? stack.config().transforms().dir()
                                : dataDir.resolve("transforms"))
                .append("/\n");
        for (PipelineConfig p : stack.config().pipelines()) {
            SinkConfig sink = p.sink();
            out.append("\nPipeline ").append(p.name()).append("\n");
            if (stack.server().roles().contains(Role.INGEST)) {
                endpoints(out, stack, p);
            }
            out.append("  Kafka      bootstrap ")
                    .append(stack.config().kafka().bootstrapServers())
                    .append(", topic ")
                    .append(p.topic())
                    .append(" (JSON object values)\n");
            if (p.hasTransforms()) {
                out.append("  Transforms ")
                        .append(String.join(
                                " → ",
                                p.transforms().stream().map(t -> t.label()).toList()))
                        .append("   (failures to topic ")
                        .append(p.dlqTopic())
                        .append(")\n");
            }
            out.append("  Output     s3://")
                    .append(sink.bucket())
                    .append('/')
                    .append(sink.prefix())
                    .append("/");
            if (stack.embeddedStorage()) {
                out.append("  =  ")
                        .append(dataDir.resolve("s3").resolve(sink.bucket()).resolve(sink.prefix()))
                        .append("/");
            }
            out.append("\n             ").append(describe(sink)).append("\n");
        }
        out.append("\nS3 endpoint ").append(stack.config().storage().endpoint());
        if (stack.embeddedStorage()) {
            out.append("  (access key ")
                    .append(EmbeddedS3.ACCESS_KEY)
                    .append(", secret key ")
                    .append(EmbeddedS3.SECRET_KEY)
                    .append(")");
        }
        if (stack.server().roles().size() < Role.ALL.size()) {
            out.append("\nRoles       ")
                    .append(stack.server().roles())
                    .append(" (the others run elsewhere or not at all)");
        }
        if (stack.server().roles().contains(Role.INGEST)) {
            for (var table : stack.config().tables()) {
                out.append("\nTable       ")
                        .append(table.name())
                        .append(": PUT/DELETE ")
                        .append(stack.httpBaseUrl())
                        .append("/tables/")
                        .append(table.name())
                        .append("/{key}   (topic ")
                        .append(table.topic())
                        .append(")");
            }
            out.append("\nConsole     ").append(stack.httpBaseUrl()).append("/");
            out.append("\nHealth      ").append(stack.httpBaseUrl()).append("/healthz");
            out.append("\nAdmin API   ")
                    .append(stack.httpBaseUrl())
                    .append(AdminApi.BASE)
                    .append("/pipelines")
                    .append(
                            stack.config().admin().isOpen()
                                    ? "   (open: no admin.tokens configured)"
                                    : "   (bearer token)");
        }
        if (stack.server().workflows() != null) {
            workflows(out, stack);
        }
        out.append("\n");
        out.append("Stop with Ctrl-C; open batches are written first.\n");
        return out.toString();
    }

    private static void workflows(StringBuilder out, DevStack stack) {
        String base = stack.httpBaseUrl() + "/client/v4/accounts/"
                + stack.config().storage().account() + "/workflows/";
        out.append("\nWorkflows   jars from ")
                .append(
                        stack.config().workflowsDir() != null
                                ? stack.config().workflowsDir()
                                : stack.options()
                                        .dataDir()
                                        .toAbsolutePath()
                                        .normalize()
                                        .resolve("workflows"))
                .append("/");
        for (WorkflowConfig w : stack.config().workflows()) {
            out.append("\nWorkflow    ")
                    .append(w.name())
                    .append(" (class ")
                    .append(w.className())
                    .append(")");
            if (w.trigger().notifications() != null) {
                out.append(", an instance per object of pipeline ")
                        .append(w.trigger().notifications().pipeline());
            }
            if (w.trigger().schedule() != null) {
                out.append(", an instance per tick of \"")
                        .append(w.trigger().schedule())
                        .append("\" (UTC)");
            }
            out.append("\n              create  POST ")
                    .append(base)
                    .append(w.name())
                    .append("/instances   (")
                    .append(w.http().auth().isOpen() ? "open" : "bearer token required")
                    .append(")");
            out.append("\n              list    GET  ")
                    .append(base)
                    .append(w.name())
                    .append("/instances");
            out.append("\n              get     GET  ")
                    .append(base)
                    .append(w.name())
                    .append("/instances/{id}");
            out.append("\n              status  PATCH ")
                    .append(base)
                    .append(w.name())
                    .append("/instances/{id}/status   {\"status\":\"pause|resume|terminate|restart\"}");
            out.append("\n              event   POST ")
                    .append(base)
                    .append(w.name())
                    .append("/instances/{id}/events/{type}");
        }
        out.append("\n              (Cloudflare's SDKs work with baseURL ")
                .append(stack.httpBaseUrl())
                .append("/client/v4)");
    }

    private static void endpoints(StringBuilder out, DevStack stack, PipelineConfig p) {
        String access = p.http().auth().isOpen()
                ? "open: no auth tokens configured"
                : "bearer token required (" + p.http().auth().tokens().size() + " configured)";
        out.append("  HTTP       POST ")
                .append(stack.httpBaseUrl())
                .append("/ingest/")
                .append(p.name())
                .append("   (")
                .append(access)
                .append(")\n");
        out.append("  WebSocket  ws://")
                .append(DevOptions.HOST)
                .append(':')
                .append(stack.httpPort())
                .append("/ingest/")
                .append(p.name())
                .append("\n");
        if (p.http().cors() != null && !p.http().cors().origins().isEmpty()) {
            out.append("  CORS       ")
                    .append(String.join(", ", p.http().cors().origins()))
                    .append("\n");
        }
    }

    private static String describe(SinkConfig sink) {
        BatchConfig b = sink.batch();
        return String.format(
                Locale.ROOT,
                "%s %s, an object per hour partition every %s records, %s or %s, whichever first",
                sink.format().yamlName(),
                sink.compression().yamlName(),
                b.maxRecords(),
                bytes(b.maxBytes()),
                b.maxDuration().toString().substring(2).toLowerCase(Locale.ROOT));
    }

    private static String bytes(long n) {
        if (n % (1L << 30) == 0) {
            return (n >> 30) + " GB";
        }
        if (n % (1L << 20) == 0) {
            return (n >> 20) + " MB";
        }
        if (n % (1L << 10) == 0) {
            return (n >> 10) + " KB";
        }
        return n + " bytes";
    }
}

package dev.sluice.server.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code sluice workflows …}: workflows and their instances through the workflows REST API (Cloudflare's v4).
 *
 * <pre>{@code
 * $ sluice workflows instances order-approval --status waiting
 * ID   STATUS   CREATED                   MODIFIED
 * o-1  waiting  2026-11-28T08:00:00.120Z  2026-11-28T08:00:01.004Z
 * $ sluice workflows send-event order-approval o-1 approval --payload '{"approved":true}'
 * }</pre>
 */
@Command(
        name = "workflows",
        description = "List workflows and their instances; pause, resume, terminate, restart them; send them events.",
        mixinStandardHelpOptions = true,
        subcommands = {
            WorkflowsCommand.ListWorkflows.class,
            WorkflowsCommand.Instances.class,
            WorkflowsCommand.Describe.class,
            WorkflowsCommand.Pause.class,
            WorkflowsCommand.Resume.class,
            WorkflowsCommand.Terminate.class,
            WorkflowsCommand.Restart.class,
            WorkflowsCommand.SendEvent.class
        })
public final class WorkflowsCommand implements Runnable {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The statuses in the order a table shows them. */
    static final List<String> STATUSES =
            List.of("queued", "running", "paused", "waiting", "waitingForPause", "errored", "terminated", "complete");

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** What every workflows command shares: where the API is, and the account ({@code storage.account}). */
    abstract static class WorkflowApiCommand implements Callable<Integer> {
        @Mixin
        ApiOptions api;

        @Spec
        CommandSpec spec;

        @Mixin
        AccountOption account;

        ApiClient client() {
            return api.client().workflows(account.account);
        }
    }

    /** A command about one instance: {@code <workflow> <id>}. */
    abstract static class InstanceCommand extends WorkflowApiCommand {
        @Parameters(index = "0", paramLabel = "<workflow>", description = "the workflow's name")
        String workflow;

        @Parameters(index = "1", paramLabel = "<id>", description = "the instance's id")
        String id;

        String path() {
            return "/" + workflow + "/instances/" + id;
        }
    }

    @Command(name = "list", description = "Each workflow on one line, with its instances by status.")
    static final class ListWorkflows extends WorkflowApiCommand {
        @Override
        public Integer call() {
            return Output.run(spec, () -> {
                JsonNode workflows = client().get("");
                if (api.json) {
                    return workflows.toString();
                }
                return table(workflows);
            });
        }
    }

    /** Workflows with their instance counts, as {@code list} and {@code sluice status} show them. */
    static String table(JsonNode workflows) {
        List<List<String>> rows = new ArrayList<>();
        List<String> header = new ArrayList<>(List.of("WORKFLOW"));
        STATUSES.forEach(s -> header.add(s.toUpperCase(java.util.Locale.ROOT)));
        rows.add(header);
        for (JsonNode w : workflows) {
            List<String> row = new ArrayList<>(List.of(w.path("name").asText()));
            STATUSES.forEach(s -> row.add(w.path("instances").path(s).asText("0")));
            rows.add(row);
        }
        return Output.table(rows);
    }

    @Command(name = "instances", description = "A workflow's instances, newest first.")
    static final class Instances extends WorkflowApiCommand {
        @Parameters(index = "0", paramLabel = "<workflow>", description = "the workflow's name")
        String workflow;

        @Option(
                names = "--status",
                description = "only those with this status: "
                        + "queued, running, paused, waiting, waitingForPause, errored, terminated, complete")
        String status;

        @Option(names = "--limit", defaultValue = "50", description = "at most this many (default ${DEFAULT-VALUE})")
        int limit;

        @Override
        public Integer call() {
            return Output.run(spec, () -> {
                String query = "?per_page=" + limit
                        + (status == null ? "" : "&status=" + URLEncoder.encode(status, StandardCharsets.UTF_8));
                JsonNode instances = client().get("/" + workflow + "/instances" + query);
                if (api.json) {
                    return instances.toString();
                }
                List<List<String>> rows = new ArrayList<>();
                rows.add(List.of("ID", "STATUS", "CREATED", "MODIFIED"));
                for (JsonNode i : instances) {
                    rows.add(List.of(
                            i.path("id").asText(),
                            i.path("status").asText(),
                            i.path("created_on").asText("-"),
                            i.path("modified_on").asText("-")));
                }
                return Output.table(rows);
            });
        }
    }

    @Command(
            name = "describe",
            description = "One instance: status, params, output or error, and each step with its attempts.")
    static final class Describe extends InstanceCommand {
        @Override
        public Integer call() {
            return Output.run(spec, () -> {
                JsonNode i = client().get(path());
                if (api.json) {
                    return i.toString();
                }
                StringBuilder out = new StringBuilder();
                out.append("status  ").append(i.path("status").asText()).append('\n');
                out.append("params  ").append(i.path("params")).append('\n');
                if (!i.path("output").isNull() && !i.path("output").isMissingNode()) {
                    out.append("output  ").append(i.path("output")).append('\n');
                }
                if (i.path("error").isObject()) {
                    out.append("error   ")
                            .append(i.path("error").path("name").asText())
                            .append(": ")
                            .append(i.path("error").path("message").asText())
                            .append('\n');
                }
                List<List<String>> rows = new ArrayList<>();
                rows.add(List.of("STEP", "TYPE", "START", "END", "ATTEMPTS", "LAST ERROR"));
                for (JsonNode step : i.path("steps")) {
                    if (!step.has("name")) {
                        continue; // the termination marker
                    }
                    JsonNode attempts = step.path("attempts");
                    JsonNode last = attempts.path(attempts.size() - 1).path("error");
                    rows.add(List.of(
                            step.path("name").asText(),
                            step.path("type").asText(),
                            step.path("start").asText("-"),
                            step.path("end").asText("-"),
                            attempts.isArray() ? Integer.toString(attempts.size()) : "-",
                            last.isObject() ? last.path("message").asText() : ""));
                }
                return out.append('\n').append(Output.table(rows)).toString();
            });
        }
    }

    /** {@code PATCH …/status} with an action: what pause, resume, terminate and restart send. */
    abstract static class StatusChange extends InstanceCommand {
        abstract String action();

        ObjectNode body() {
            return JSON.createObjectNode().put("status", action());
        }

        @Override
        public Integer call() {
            return Output.run(spec, () -> {
                JsonNode result = client().patch(path() + "/status", body());
                return api.json
                        ? result.toString()
                        : workflow + "/" + id + ": " + result.path("status").asText(action());
            });
        }
    }

    @Command(name = "pause", description = "Pause an instance: it stops after its running step.")
    static final class Pause extends StatusChange {
        @Override
        String action() {
            return "pause";
        }
    }

    @Command(name = "resume", description = "Resume a paused instance.")
    static final class Resume extends StatusChange {
        @Override
        String action() {
            return "resume";
        }
    }

    @Command(name = "terminate", description = "Terminate an instance for good.")
    static final class Terminate extends StatusChange {
        @Override
        String action() {
            return "terminate";
        }
    }

    @Command(name = "restart", description = "Run an instance again from the start, or from a step (--from).")
    static final class Restart extends StatusChange {
        @Option(names = "--from", description = "keep the results of the steps before this one")
        String from;

        @Override
        String action() {
            return "restart";
        }

        @Override
        ObjectNode body() {
            ObjectNode body = super.body();
            if (from != null) {
                body.putObject("from").put("name", from);
            }
            return body;
        }
    }

    @Command(name = "send-event", description = "Send an event to an instance that waits for it (or will).")
    static final class SendEvent extends InstanceCommand {
        @Parameters(index = "2", paramLabel = "<type>", description = "the event's type, as the workflow waits for it")
        String type;

        @Option(
                names = "--payload",
                defaultValue = "{}",
                description = "the event's JSON payload (default ${DEFAULT-VALUE})")
        String payload;

        @Override
        public Integer call() {
            JsonNode body;
            try {
                body = JSON.readTree(payload);
            } catch (JsonProcessingException e) {
                throw new ParameterException(spec.commandLine(), "--payload is not JSON: " + e.getOriginalMessage());
            }
            return Output.run(spec, () -> {
                JsonNode result =
                        client().post(path() + "/events/" + URLEncoder.encode(type, StandardCharsets.UTF_8), body);
                return api.json ? result.toString() : "sent " + type + " to " + workflow + "/" + id;
            });
        }
    }
}

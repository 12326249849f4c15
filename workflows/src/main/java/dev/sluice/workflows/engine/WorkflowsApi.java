package dev.sluice.workflows.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.config.WorkflowConfig;
import dev.sluice.workflows.InstanceStatus;
import dev.sluice.workflows.Trigger;
import dev.sluice.workflows.internal.InstanceState;
import dev.sluice.workflows.internal.StepValues;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.apache.kafka.streams.errors.InvalidStateStoreException;

/**
 * Cloudflare's Workflows REST API (v4), path for path, so its clients and SDKs work against Sluice with
 * another base URL ({@code http://host:port/client/v4}): create (one or a batch of up to 100), list,
 * get, status changes (pause, resume, terminate, restart, also from a step) and events. Answers use the
 * v4 envelope {@code {"success","errors","messages","result","result_info"}}.
 */
public final class WorkflowsApi {
    static final String BASE = "/client/v4/accounts/{account}/workflows";
    private static final Pattern INSTANCE_ID = Pattern.compile("[a-zA-Z0-9_][a-zA-Z0-9_-]{0,99}");
    private static final int MAX_BATCH = 100;

    private final WorkflowEngine engine;
    private final String account;
    private final Map<String, List<byte[]>> tokenDigests = new java.util.HashMap<>();

    /** @param account the only {@code {account}} path value answered; any other is a 404 */
    public WorkflowsApi(WorkflowEngine engine, String account) {
        this.engine = engine;
        this.account = account;
        for (WorkflowConfig workflow : engine.workflows()) {
            tokenDigests.put(workflow.name(), workflow.http().auth().tokens().stream().map(WorkflowsApi::sha256).toList());
        }
    }

    public void register(RoutesConfig routes) {
        routes.get(BASE, this::listWorkflows);
        routes.get(BASE + "/{workflow}", this::getWorkflow);
        routes.post(BASE + "/{workflow}/instances", this::create);
        routes.post(BASE + "/{workflow}/instances/batch", this::createBatch);
        routes.get(BASE + "/{workflow}/instances", this::list);
        routes.get(BASE + "/{workflow}/instances/{id}", this::get);
        routes.get(BASE + "/{workflow}/instances/{id}/step", this::step);
        routes.patch(BASE + "/{workflow}/instances/{id}/status", this::changeStatus);
        routes.post(BASE + "/{workflow}/instances/{id}/events/{type}", this::sendEvent);
        routes.exception(ApiError.class, (e, ctx) -> fail(ctx, e.status, e.code, e.getMessage()));
        routes.exception(InvalidStateStoreException.class, (e, ctx) -> {
            ctx.header("Retry-After", "1");
            fail(ctx, 503, 10503, "the workflows engine is starting or rebalancing; retry shortly");
        });
    }

    // ---- workflows -------------------------------------------------------------------------------

    private void listWorkflows(Context ctx) {
        requireAccount(ctx);
        ArrayNode result = StepValues.JSON.createArrayNode();
        for (WorkflowConfig workflow : engine.workflows()) {
            if (accepts(workflow.name(), ctx)) {
                result.add(describe(workflow));
            }
        }
        ok(ctx, result, page(1, result.size(), result.size(), result.size()));
    }

    private void getWorkflow(Context ctx) {
        ok(ctx, describe(workflow(ctx)), null);
    }

    private ObjectNode describe(WorkflowConfig workflow) {
        ObjectNode out = StepValues.JSON.createObjectNode();
        out.put("id", InstanceViews.workflowId(workflow.name()));
        out.put("name", workflow.name());
        out.put("class_name", workflow.className());
        out.put("script_name", workflow.jar() == null ? "sluice" : workflow.jar());
        Map<InstanceStatus, Integer> counts = new EnumMap<>(InstanceStatus.class);
        for (InstanceStatus status : InstanceStatus.values()) {
            counts.put(status, 0);
        }
        for (InstanceState instance : engine.instances(workflow.name())) {
            counts.merge(instance.status(), 1, Integer::sum);
        }
        ObjectNode instances = out.putObject("instances");
        counts.forEach((status, n) -> instances.put(status.wireName(), n));
        if (workflow.trigger().schedule() != null) {
            out.putArray("schedules").addObject().put("cron", workflow.trigger().schedule());
        }
        return out;
    }

    // ---- instances -------------------------------------------------------------------------------

    private void create(Context ctx) {
        WorkflowConfig workflow = workflow(ctx);
        JsonNode body = body(ctx);
        if (!body.isObject() && !body.isNull()) {
            throw ApiError.badRequest("the body must be a JSON object such as {\"instance_id\":\"…\",\"params\":{…}}");
        }
        ok(ctx, createOne(workflow, body, -1).join(), null);
    }

    private void createBatch(Context ctx) {
        WorkflowConfig workflow = workflow(ctx);
        JsonNode body = body(ctx);
        if (!body.isArray() || body.isEmpty() || body.size() > MAX_BATCH) {
            throw ApiError.badRequest("the body must be a JSON array of 1 to " + MAX_BATCH + " instances");
        }
        List<CompletableFuture<ObjectNode>> futures = new ArrayList<>();
        for (int i = 0; i < body.size(); i++) {
            if (!body.get(i).isObject()) {
                throw ApiError.badRequest("instance " + i + " of the batch is not a JSON object");
            }
        }
        for (int i = 0; i < body.size(); i++) {
            futures.add(createOne(workflow, body.get(i), i));
        }
        ArrayNode result = StepValues.JSON.createArrayNode();
        futures.forEach(f -> result.add(f.join()));
        ok(ctx, result, null);
    }

    /** Creates (or finds) one instance; {@code index} ≥ 0 names it in a batch's errors. */
    private CompletableFuture<ObjectNode> createOne(WorkflowConfig workflow, JsonNode request, int index) {
        String at = index < 0 ? "" : "instance " + index + " of the batch: ";
        String id = request.hasNonNull("instance_id") ? request.get("instance_id").asText()
                : request.hasNonNull("id") ? request.get("id").asText() : UUID.randomUUID().toString();
        if (!INSTANCE_ID.matcher(id).matches()) {
            throw ApiError.badRequest(at + "'" + id + "' is not an instance id (1 to 100 of letters, digits, '-' and '_', not starting with '-')");
        }
        JsonNode params = request.path("params");
        if (params.isTextual()) {
            try {
                params = StepValues.JSON.readTree(params.asText());
            } catch (IOException e) {
                throw ApiError.badRequest(at + "params is a string but not JSON: " + e.getMessage());
            }
        }
        if (params.isMissingNode() || params.isNull()) {
            params = StepValues.JSON.createObjectNode();
        }
        InstanceState existing = engine.instance(workflow.name(), id);
        if (existing != null) {
            // Creating an id that exists returns that instance, never a second one.
            return CompletableFuture.completedFuture(InstanceViews.created(workflow.name(), id, existing.status(),
                    existing.trigger().wireName()));
        }
        return engine.create(workflow.name(), id, params, Trigger.API)
                .thenApply(ok -> InstanceViews.created(workflow.name(), id, InstanceStatus.QUEUED, Trigger.API.wireName()));
    }

    private void list(Context ctx) {
        WorkflowConfig workflow = workflow(ctx);
        int page = intParam(ctx, "page", 1, 1, Integer.MAX_VALUE);
        int perPage = intParam(ctx, "per_page", 50, 1, 100);
        String status = ctx.queryParam("status");
        InstanceStatus wanted = null;
        if (status != null) {
            try {
                wanted = InstanceStatus.fromWireName(status);
            } catch (IllegalArgumentException e) {
                throw ApiError.badRequest(e.getMessage());
            }
        }
        List<InstanceState> all = new ArrayList<>();
        for (InstanceState instance : engine.instances(workflow.name())) {
            if (wanted == null || instance.status() == wanted) {
                all.add(instance);
            }
        }
        all.sort(Comparator.comparingLong(InstanceState::queuedAt).reversed().thenComparing(InstanceState::id));
        ArrayNode result = StepValues.JSON.createArrayNode();
        long from = (long) (page - 1) * perPage;
        for (long i = from; i < Math.min(all.size(), from + perPage); i++) {
            result.add(InstanceViews.summary(all.get((int) i)));
        }
        ok(ctx, result, page(page, perPage, result.size(), all.size()));
    }

    private void get(Context ctx) {
        WorkflowConfig workflow = workflow(ctx);
        InstanceState instance = instance(ctx, workflow);
        boolean simple = "true".equals(ctx.queryParam("simple"));
        ok(ctx, InstanceViews.detail(instance, simple, stepId -> engine.result(workflow.name(), instance.id(), stepId)), null);
    }

    private void step(Context ctx) {
        WorkflowConfig workflow = workflow(ctx);
        InstanceState instance = instance(ctx, workflow);
        String name = ctx.queryParam("name");
        if (name == null) {
            throw ApiError.badRequest("name is required");
        }
        InstanceState.StepInfo step = instance.steps().stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> ApiError.notFound("instance " + instance.id() + " has no step '" + name + "'"));
        ObjectNode result = StepValues.JSON.createObjectNode();
        result.put("status", step.end() == null ? "running" : step.error() == null ? "complete" : "errored");
        if (step.error() == null) {
            result.putNull("error");
        } else {
            result.putObject("error").put("name", step.error().name()).put("message", step.error().message());
        }
        if (step.eventType() != null) {
            result.put("event_type", step.eventType());
        }
        result.set("output", engine.result(workflow.name(), instance.id(), step.id()));
        ok(ctx, result, null);
    }

    private void changeStatus(Context ctx) {
        WorkflowConfig workflow = workflow(ctx);
        InstanceState instance = instance(ctx, workflow);
        JsonNode body = body(ctx);
        String action = body.path("status").asText("");
        CompletableFuture<Void> sent = switch (action) {
            case "pause" -> engine.pause(workflow.name(), instance.id());
            case "resume" -> engine.resume(workflow.name(), instance.id());
            case "terminate" -> engine.terminate(workflow.name(), instance.id());
            case "restart" -> {
                JsonNode from = body.path("from");
                String fromStep = from.hasNonNull("name") ? from.get("name").asText() : null;
                int count = from.path("count").asInt(1);
                if (fromStep != null && instance.steps().stream().filter(s -> s.name().equals(fromStep)).count() < Math.max(1, count)) {
                    throw ApiError.badRequest("instance " + instance.id() + " has no step '" + fromStep + "'"
                            + (count > 1 ? " used " + count + " times" : "") + " to restart from");
                }
                yield engine.restart(workflow.name(), instance.id(), fromStep, count);
            }
            default -> throw ApiError.badRequest("status must be pause, resume, terminate or restart, was '" + action + "'");
        };
        await(sent);
        ObjectNode result = StepValues.JSON.createObjectNode().put("status", instance.status().wireName())
                .put("timestamp", Instant.now().toString());
        ok(ctx, result, null);
    }

    private void sendEvent(Context ctx) {
        WorkflowConfig workflow = workflow(ctx);
        InstanceState instance = instance(ctx, workflow);
        JsonNode payload = body(ctx);
        await(engine.sendEvent(workflow.name(), instance.id(), ctx.pathParam("type"), payload.isNull() ? null : payload));
        ok(ctx, StepValues.JSON.createObjectNode().put("instanceId", instance.id()).put("timestamp", Instant.now().toString()), null);
    }

    // ---- helpers ---------------------------------------------------------------------------------

    private void requireAccount(Context ctx) {
        if (!account.equals(ctx.pathParam("account"))) {
            throw ApiError.notFound("no account '" + ctx.pathParam("account") + "' here; this Sluice answers for account '" + account + "'");
        }
    }

    private WorkflowConfig workflow(Context ctx) {
        requireAccount(ctx);
        String name = ctx.pathParam("workflow");
        WorkflowConfig workflow = engine.workflows().stream().filter(w -> w.name().equals(name)).findFirst()
                .orElseThrow(() -> ApiError.notFound("no workflow '" + name + "'"));
        requireToken(workflow.name(), ctx);
        return workflow;
    }

    private InstanceState instance(Context ctx, WorkflowConfig workflow) {
        String id = ctx.pathParam("id");
        InstanceState instance = engine.instance(workflow.name(), id);
        if (instance == null) {
            throw ApiError.notFound("workflow " + workflow.name() + " has no instance '" + id + "'");
        }
        return instance;
    }

    private void requireToken(String workflow, Context ctx) {
        List<byte[]> digests = tokenDigests.get(workflow);
        if (digests.isEmpty()) {
            return;
        }
        String header = ctx.header("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7) || header.substring(7).isBlank()) {
            throw new ApiError(401, 10000, "this workflow needs a token: send Authorization: Bearer <token>");
        }
        if (!accepts(workflow, ctx)) {
            throw new ApiError(403, 10000, "the token is not valid for workflow " + workflow);
        }
    }

    private boolean accepts(String workflow, Context ctx) {
        List<byte[]> digests = tokenDigests.get(workflow);
        if (digests.isEmpty()) {
            return true;
        }
        String header = ctx.header("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        byte[] presented = sha256(header.substring(7).trim());
        boolean match = false;
        for (byte[] known : digests) {
            match |= MessageDigest.isEqual(known, presented);
        }
        return match;
    }

    private static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    private static JsonNode body(Context ctx) {
        byte[] bytes = ctx.bodyAsBytes();
        if (bytes.length == 0) {
            return StepValues.JSON.nullNode();
        }
        try {
            return StepValues.JSON.readTree(bytes);
        } catch (IOException e) {
            throw ApiError.badRequest("the body is not JSON: " + e.getMessage());
        }
    }

    private static int intParam(Context ctx, String name, int fallback, int min, int max) {
        String text = ctx.queryParam(name);
        if (text == null) {
            return fallback;
        }
        try {
            int value = Integer.parseInt(text);
            if (value < min || value > max) {
                throw ApiError.badRequest(name + " must be between " + min + " and " + max + ", was " + value);
            }
            return value;
        } catch (NumberFormatException e) {
            throw ApiError.badRequest(name + " must be a whole number, was '" + text + "'");
        }
    }

    private static void await(CompletableFuture<Void> sent) {
        try {
            sent.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new ApiError(503, 10503, "Kafka did not take the command: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiError(503, 10503, "interrupted");
        }
    }

    private static ObjectNode page(int page, int perPage, int count, int total) {
        return StepValues.JSON.createObjectNode().put("page", page).put("per_page", perPage).put("count", count)
                .put("total_count", total).put("total_pages", perPage == 0 ? 0 : (total + perPage - 1) / perPage);
    }

    private static void ok(Context ctx, JsonNode result, ObjectNode resultInfo) {
        ObjectNode body = StepValues.JSON.createObjectNode().put("success", true);
        body.putArray("errors");
        body.putArray("messages");
        body.set("result", result);
        if (resultInfo != null) {
            body.set("result_info", resultInfo);
        }
        ctx.status(200).contentType("application/json").result(body.toString());
    }

    private static void fail(Context ctx, int status, int code, String message) {
        ObjectNode body = StepValues.JSON.createObjectNode().put("success", false);
        body.putArray("errors").addObject().put("code", code).put("message", message);
        body.putArray("messages");
        body.putNull("result");
        // Cloudflare's SDK retries 409 and 5xx by default; say when a retry cannot help.
        if (status < 500) {
            ctx.header("x-should-retry", "false");
        }
        ctx.status(status).contentType("application/json").result(body.toString());
    }
}

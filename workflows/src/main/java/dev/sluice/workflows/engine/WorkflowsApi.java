package dev.sluice.workflows.engine;

import com.fasterxml.jackson.core.JsonProcessingException;
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
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
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

    /** Marks a request one process passed to another, so that it is never passed on again. */
    static final String FORWARDED = "X-Sluice-Forwarded";

    private final WorkflowEngine engine;
    private final String account;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Map<String, List<byte[]>> tokenDigests = new HashMap<>();

    /** @param account the only {@code {account}} path value answered; any other is a 404 */
    public WorkflowsApi(WorkflowEngine engine, String account) {
        this.engine = engine;
        this.account = account;
        for (WorkflowConfig workflow : engine.workflows()) {
            tokenDigests.put(
                    workflow.name(),
                    workflow.http().auth().tokens().stream()
                            .map(WorkflowsApi::sha256)
                            .toList());
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
        ObjectNode request =
                withId(body.isNull() ? StepValues.JSON.createObjectNode() : (ObjectNode) body.deepCopy(), -1);
        String owner = remoteOwner(ctx, workflow, request.get("instance_id").asText());
        if (owner != null) {
            relay(ctx, forward(ctx, owner, ctx.path(), "POST", request.toString()));
            return;
        }
        ok(ctx, createdView(workflow, request, createOne(workflow, request)), null);
    }

    private void createBatch(Context ctx) {
        WorkflowConfig workflow = workflow(ctx);
        JsonNode body = body(ctx);
        if (!body.isArray() || body.isEmpty() || body.size() > MAX_BATCH) {
            throw ApiError.badRequest("the body must be a JSON array of 1 to " + MAX_BATCH + " instances");
        }
        List<ObjectNode> requests = new ArrayList<>();
        for (int i = 0; i < body.size(); i++) {
            if (!body.get(i).isObject()) {
                throw ApiError.badRequest("instance " + i + " of the batch is not a JSON object");
            }
            requests.add(withId((ObjectNode) body.get(i).deepCopy(), i));
        }
        // Each instance is created by the process that owns it, so that it can be read as soon as this answers.
        List<CompletableFuture<WorkflowEngine.Created>> local = new ArrayList<>();
        Map<String, List<Integer>> remote = new LinkedHashMap<>();
        for (int i = 0; i < requests.size(); i++) {
            String owner = remoteOwner(
                    ctx, workflow, requests.get(i).get("instance_id").asText());
            if (owner == null) {
                local.add(createOne(workflow, requests.get(i)));
            } else {
                local.add(null);
                remote.computeIfAbsent(owner, o -> new ArrayList<>()).add(i);
            }
        }
        ObjectNode[] results = new ObjectNode[requests.size()];
        for (Map.Entry<String, List<Integer>> group : remote.entrySet()) {
            ArrayNode part = StepValues.JSON.createArrayNode();
            group.getValue().forEach(i -> part.add(requests.get(i)));
            JsonNode answer =
                    relayed(forward(ctx, group.getKey(), ctx.path(), "POST", part.toString()), group.getKey());
            for (int j = 0; j < group.getValue().size(); j++) {
                results[group.getValue().get(j)] =
                        (ObjectNode) answer.path("result").get(j);
            }
        }
        ArrayNode result = StepValues.JSON.createArrayNode();
        for (int i = 0; i < results.length; i++) {
            result.add(local.get(i) != null ? createdView(workflow, requests.get(i), local.get(i)) : results[i]);
        }
        ok(ctx, result, null);
    }

    /** The request with its {@code instance_id}: the one given (also as {@code id}) or a new UUID; checked. */
    private static ObjectNode withId(ObjectNode request, int index) {
        String id = request.hasNonNull("instance_id")
                ? request.get("instance_id").asText()
                : request.hasNonNull("id")
                        ? request.get("id").asText()
                        : UUID.randomUUID().toString();
        if (!INSTANCE_ID.matcher(id).matches()) {
            throw ApiError.badRequest((index < 0 ? "" : "instance " + index + " of the batch: ") + "'" + id
                    + "' is not an instance id (1 to 100 of letters, digits, '-' and '_', not starting with '-')");
        }
        JsonNode params = request.path("params");
        if (params.isTextual()) {
            try {
                request.set("params", StepValues.JSON.readTree(params.asText()));
            } catch (IOException e) {
                throw ApiError.badRequest((index < 0 ? "" : "instance " + index + " of the batch: ")
                        + "params is a string but not JSON: " + e.getMessage());
            }
        }
        return request.put("instance_id", id);
    }

    /** Creates (or finds) one instance this process owns; completes once it can be read. */
    private CompletableFuture<WorkflowEngine.Created> createOne(WorkflowConfig workflow, ObjectNode request) {
        JsonNode params = request.path("params");
        if (params.isMissingNode() || params.isNull()) {
            params = StepValues.JSON.createObjectNode();
        }
        // Creating an id that exists answers with that instance, never a second one: the owning task decides.
        return engine.createAndAwait(workflow.name(), request.get("instance_id").asText(), params, Trigger.API);
    }

    /** The answer for one create, built on the request's thread (the owning task completed the future). */
    private static ObjectNode createdView(
            WorkflowConfig workflow, ObjectNode request, CompletableFuture<WorkflowEngine.Created> future) {
        WorkflowEngine.Created created = future.join();
        return InstanceViews.created(
                workflow.name(),
                request.get("instance_id").asText(),
                created == null ? InstanceStatus.QUEUED : created.status(),
                (created == null ? Trigger.API : created.trigger()).wireName());
    }

    private void list(Context ctx) {
        WorkflowConfig workflow = workflow(ctx);
        boolean localOnly = ctx.header(FORWARDED) != null && "true".equals(ctx.queryParam("local"));
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
        List<ObjectNode> all = new ArrayList<>();
        for (InstanceState instance : engine.instances(workflow.name())) {
            if (wanted == null || instance.status() == wanted) {
                all.add(InstanceViews.summary(instance));
            }
        }
        if (localOnly) {
            // Another process gathers: every row this process owns, unpaged.
            ArrayNode rows = StepValues.JSON.createArrayNode();
            rows.addAll(all);
            ok(ctx, rows, null);
            return;
        }
        for (String other : engine.otherEndpoints()) {
            JsonNode rows = gather(ctx, other, status);
            rows.forEach(row -> all.add((ObjectNode) row));
        }
        all.sort(Comparator.comparing((ObjectNode row) -> row.path("created_on").asText())
                .reversed()
                .thenComparing(row -> row.path("id").asText()));
        ArrayNode result = StepValues.JSON.createArrayNode();
        long from = (long) (page - 1) * perPage;
        for (long i = from; i < Math.min(all.size(), from + perPage); i++) {
            result.add(all.get((int) i));
        }
        ok(ctx, result, page(page, perPage, result.size(), all.size()));
    }

    private void get(Context ctx) {
        WorkflowConfig workflow = workflow(ctx);
        InstanceState instance = ownedInstance(ctx, workflow);
        if (instance == null) {
            return;
        }
        boolean simple = "true".equals(ctx.queryParam("simple"));
        ok(
                ctx,
                InstanceViews.detail(instance, simple, stepId -> engine.result(workflow.name(), instance.id(), stepId)),
                null);
    }

    private void step(Context ctx) {
        WorkflowConfig workflow = workflow(ctx);
        InstanceState instance = ownedInstance(ctx, workflow);
        if (instance == null) {
            return;
        }
        String name = ctx.queryParam("name");
        if (name == null) {
            throw ApiError.badRequest("name is required");
        }
        InstanceState.StepInfo step = instance.steps().stream()
                .filter(s -> s.name().equals(name))
                .findFirst()
                .orElseThrow(() -> ApiError.notFound("instance " + instance.id() + " has no step '" + name + "'"));
        ObjectNode result = StepValues.JSON.createObjectNode();
        result.put("status", step.end() == null ? "running" : step.error() == null ? "complete" : "errored");
        result.set("error", InstanceViews.error(step.error()));
        if (step.eventType() != null) {
            result.put("event_type", step.eventType());
        }
        result.set("output", engine.result(workflow.name(), instance.id(), step.id()));
        ok(ctx, result, null);
    }

    private void changeStatus(Context ctx) {
        WorkflowConfig workflow = workflow(ctx);
        InstanceState instance = ownedInstance(ctx, workflow);
        if (instance == null) {
            return;
        }
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
                if (fromStep != null
                        && instance.steps().stream()
                                        .filter(s -> s.name().equals(fromStep))
                                        .count()
                                < Math.max(1, count)) {
                    throw ApiError.badRequest("instance " + instance.id() + " has no step '" + fromStep + "'"
                            + (count > 1 ? " used " + count + " times" : "") + " to restart from");
                }
                yield engine.restart(workflow.name(), instance.id(), fromStep, count);
            }
            default ->
                throw ApiError.badRequest("status must be pause, resume, terminate or restart, was '" + action + "'");
        };
        await(sent);
        ObjectNode result = StepValues.JSON
                .createObjectNode()
                .put("status", instance.status().wireName())
                .put("timestamp", Instant.now().toString());
        ok(ctx, result, null);
    }

    private void sendEvent(Context ctx) {
        WorkflowConfig workflow = workflow(ctx);
        InstanceState instance = ownedInstance(ctx, workflow);
        if (instance == null) {
            return;
        }
        JsonNode payload = body(ctx);
        await(engine.sendEvent(
                workflow.name(), instance.id(), ctx.pathParam("type"), payload.isNull() ? null : payload));
        ok(
                ctx,
                StepValues.JSON
                        .createObjectNode()
                        .put("instanceId", instance.id())
                        .put("timestamp", Instant.now().toString()),
                null);
    }

    // ---- other processes -------------------------------------------------------------------------

    /**
     * Passes the request to the process that owns the instance, and relays its answer; false when this
     * process owns it (or the request was already passed once).
     */
    private boolean forwardToOwner(Context ctx, WorkflowConfig workflow, String id) {
        String owner = remoteOwner(ctx, workflow, id);
        if (owner == null) {
            return false;
        }
        String query = ctx.queryString();
        relay(
                ctx,
                forward(
                        ctx,
                        owner,
                        ctx.path() + (query == null ? "" : "?" + query),
                        ctx.method().name(),
                        new String(ctx.bodyAsBytes(), StandardCharsets.UTF_8)));
        return true;
    }

    /** The process that owns the instance when it is another one and this request was not passed here by one. */
    private String remoteOwner(Context ctx, WorkflowConfig workflow, String id) {
        return ctx.header(FORWARDED) != null ? null : engine.ownerOf(workflow.name(), id);
    }

    private HttpResponse<byte[]> forward(Context ctx, String owner, String pathAndQuery, String method, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://" + owner + pathAndQuery))
                .timeout(Duration.ofSeconds(30))
                .header(FORWARDED, "1")
                .method(method, HttpRequest.BodyPublishers.ofString(body));
        copyHeader(ctx, request, "Authorization");
        copyHeader(ctx, request, "Content-Type");
        return send(request.build(), owner);
    }

    private static void relay(Context ctx, HttpResponse<byte[]> answer) {
        ctx.status(answer.statusCode()).contentType("application/json").result(answer.body());
        answer.headers().firstValue("x-should-retry").ifPresent(v -> ctx.header("x-should-retry", v));
    }

    /** The parsed body of a forwarded call that must have succeeded. */
    private static JsonNode relayed(HttpResponse<byte[]> answer, String endpoint) {
        try {
            JsonNode body = StepValues.JSON.readTree(answer.body());
            if (answer.statusCode() != 200) {
                throw new ApiError(
                        answer.statusCode(),
                        body.path("errors").path(0).path("code").asInt(10503),
                        body.path("errors").path(0).path("message").asText("the process at " + endpoint + " refused"));
            }
            return body;
        } catch (IOException e) {
            throw new ApiError(503, 10503, "the process at " + endpoint + " answered something that is not JSON");
        }
    }

    /** Every instance the process at {@code endpoint} owns (the same workflow and status filter). */
    private JsonNode gather(Context ctx, String endpoint, String status) {
        String query =
                "local=true" + (status == null ? "" : "&status=" + URLEncoder.encode(status, StandardCharsets.UTF_8));
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        URI.create("http://" + endpoint + ctx.path() + "?" + query))
                .timeout(Duration.ofSeconds(30))
                .header(FORWARDED, "1")
                .GET();
        copyHeader(ctx, request, "Authorization");
        return relayed(send(request.build(), endpoint), endpoint).path("result");
    }

    private HttpResponse<byte[]> send(HttpRequest request, String endpoint) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new ApiError(
                    503,
                    10503,
                    "the process that owns this instance (" + endpoint + ") does not answer: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiError(503, 10503, "interrupted");
        }
    }

    private static void copyHeader(Context ctx, HttpRequest.Builder request, String name) {
        String value = ctx.header(name);
        if (value != null) {
            request.header(name, value);
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------

    private void requireAccount(Context ctx) {
        if (!account.equals(ctx.pathParam("account"))) {
            throw ApiError.notFound("no account '" + ctx.pathParam("account")
                    + "' here; this Sluice answers for account '" + account + "'");
        }
    }

    private WorkflowConfig workflow(Context ctx) {
        requireAccount(ctx);
        String name = ctx.pathParam("workflow");
        WorkflowConfig workflow = engine.workflows().stream()
                .filter(w -> w.name().equals(name))
                .findFirst()
                .orElseThrow(() -> ApiError.notFound("no workflow '" + name + "'"));
        requireToken(workflow.name(), ctx);
        return workflow;
    }

    /**
     * The instance the path names, when this process owns it; null when the request was passed to the
     * process that does (and its answer relayed).
     */
    private InstanceState ownedInstance(Context ctx, WorkflowConfig workflow) {
        String id = ctx.pathParam("id");
        if (forwardToOwner(ctx, workflow, id)) {
            return null;
        }
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
        if (header == null
                || !header.regionMatches(true, 0, "Bearer ", 0, 7)
                || header.substring(7).isBlank()) {
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
        } catch (JsonProcessingException e) {
            throw ApiError.badRequest("the body is not JSON: " + e.getOriginalMessage()
                    + (e.getLocation() == null
                            ? ""
                            : " (at character " + e.getLocation().getCharOffset() + ")"));
        } catch (IOException e) {
            throw ApiError.badRequest("the body cannot be read: " + e.getMessage());
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
        return StepValues.JSON
                .createObjectNode()
                .put("page", page)
                .put("per_page", perPage)
                .put("count", count)
                .put("total_count", total)
                .put("total_pages", perPage == 0 ? 0 : (total + perPage - 1) / perPage);
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

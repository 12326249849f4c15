package dev.sluice.server.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
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
import io.javalin.http.sse.SseClient;
import io.javalin.http.sse.SseHandler;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * The operator API under {@code /api/v1}, JSON in Cloudflare's envelope ({@code {"success":…,"result":…}}),
 * served on the admin port and on the ingest port, behind the bearer tokens of {@code admin.tokens} (open
 * without any): the pipelines, each with its settings, the figures measured from Kafka offsets and the objects
 * it wrote last; and their records, the last few or live.
 *
 * <pre>{@code
 * curl -H 'Authorization: Bearer $TOKEN' http://127.0.0.1:8080/api/v1/pipelines/events
 * }</pre>
 */
public final class AdminApi {
    private static final Logger log = LoggerFactory.getLogger(AdminApi.class);
    public static final String BASE = "/api/v1";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The most records one request for the last records returns. */
    static final int MAX_LAST = 1000;
    /** Live tails at once per process: each holds a thread and a Kafka consumer. */
    static final int MAX_LIVE_TAILS = 16;
    /** How often a quiet live tail sends a comment, which is also how a client's disconnect is noticed. */
    private static final long KEEP_ALIVE_NANOS = Duration.ofSeconds(10).toNanos();

    private final SluiceConfig config;
    private final Function<String, Optional<PipelineStats>> stats;
    private final Function<String, List<PipelineStats>> history;
    private final RecordTail tail;
    private final RecentObjects objects;
    private final DeadLetterReplay replay;
    private final Backfills backfills;
    private final TokenCheck tokens;
    private final Semaphore liveTails = new Semaphore(MAX_LIVE_TAILS);
    private final Set<SseClient> openStreams = ConcurrentHashMap.newKeySet();

    /**
     * @param stats   a pipeline's last measured figures, if any yet
     * @param history a pipeline's figures of the last 15 minutes, oldest first
     * @param objects the objects each pipeline wrote last, followed by the caller
     */
    public AdminApi(
            SluiceConfig config,
            Function<String, Optional<PipelineStats>> stats,
            Function<String, List<PipelineStats>> history,
            RecordTail tail,
            RecentObjects objects,
            DeadLetterReplay replay,
            Backfills backfills) {
        this.config = config;
        this.stats = stats;
        this.history = history;
        this.tail = tail;
        this.objects = objects;
        this.replay = replay;
        this.backfills = backfills;
        this.tokens = new TokenCheck(config.admin().tokens());
    }

    public boolean isOpen() {
        return tokens.isOpen();
    }

    public void register(RoutesConfig routes) {
        routes.get(BASE + "/info", authorized(this::info));
        routes.get(BASE + "/pipelines", authorized(this::listPipelines));
        routes.get(BASE + "/pipelines/{pipeline}", authorized(this::describePipeline));
        routes.get(BASE + "/pipelines/{pipeline}/history", authorized(this::pipelineHistory));
        routes.get(BASE + "/pipelines/{pipeline}/records", authorized(this::lastRecords));
        routes.get(BASE + "/pipelines/{pipeline}/records/live", authorized(this::liveRecords));
        routes.get(BASE + "/pipelines/{pipeline}/dead-letters", authorized(this::deadLetters));
        routes.post(BASE + "/pipelines/{pipeline}/dead-letters/replay", authorized(this::replayDeadLetters));
        routes.post(BASE + "/pipelines/{pipeline}/backfills", authorized(this::startBackfill));
        routes.get(BASE + "/pipelines/{pipeline}/backfills", authorized(this::listBackfills));
        routes.get(BASE + "/backfills/{id}", authorized(this::getBackfill));
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

    /** What a client needs to find the rest: the account in the workflows API's paths. */
    private void info(Context ctx) {
        ok(ctx, JSON.createObjectNode().put("account", config.storage().account()));
    }

    private void listPipelines(Context ctx) {
        ArrayNode result = JSON.createArrayNode();
        config.pipelines().forEach(p -> result.add(summary(p)));
        ok(ctx, result);
    }

    private void describePipeline(Context ctx) {
        PipelineConfig pipeline = pipeline(ctx);
        ObjectNode result = summary(pipeline);
        result.put("partitionKey", pipeline.partitionKey());
        ArrayNode transforms = result.putArray("transforms");
        for (TransformConfig t : pipeline.transforms()) {
            transforms
                    .addObject()
                    .put("label", t.label())
                    .put("class", t.className())
                    .put("onError", t.onError().name().toLowerCase(Locale.ROOT));
        }
        SinkConfig sink = pipeline.sink();
        ObjectNode out = result.putObject("sink");
        out.put("bucket", sink.bucket())
                .put("prefix", sink.prefix())
                .put("format", sink.format().name().toLowerCase(Locale.ROOT))
                .put("compression", sink.compression().name().toLowerCase(Locale.ROOT));
        out.putObject("batch")
                .put("maxRecords", sink.batch().maxRecords())
                .put("maxBytes", sink.batch().maxBytes())
                .put("maxDurationSeconds", sink.batch().maxDuration().toSeconds());
        ArrayNode written = result.putArray("recentObjects");
        objects.of(pipeline.name()).forEach(written::add);
        ok(ctx, result);
    }

    /**
     * The pipeline's figures of the last 15 minutes, one sample a second, as columns for charts:
     * {@code {"at":[epoch ms…],"recordsInPerSecond":[…],"recordsOutPerSecond":[…],"backlog":[…],
     * "freshnessSeconds":[…],"deadLettered":[…]}}.
     */
    private void pipelineHistory(Context ctx) {
        List<PipelineStats> samples = history.apply(pipeline(ctx).name());
        ObjectNode result = JSON.createObjectNode();
        ArrayNode at = result.putArray("at");
        ArrayNode in = result.putArray("recordsInPerSecond");
        ArrayNode out = result.putArray("recordsOutPerSecond");
        ArrayNode backlog = result.putArray("backlog");
        ArrayNode freshness = result.putArray("freshnessSeconds");
        ArrayNode deadLettered = result.putArray("deadLettered");
        for (PipelineStats s : samples) {
            at.add(s.sampledAtMillis());
            in.add(round(s.inPerSecond()));
            out.add(round(s.outPerSecond()));
            backlog.add(s.backlog());
            freshness.add(round(s.freshnessSeconds()));
            deadLettered.add(s.deadLettered());
        }
        ok(ctx, result);
    }

    /** One decimal: a chart needs no more, and 900 samples stay small. */
    private static double round(double value) {
        return Math.round(value * 10) / 10.0;
    }

    /** {@code ?topic=in|out|dlq&last=N}: the last N committed records of one of the pipeline's topics. */
    private void lastRecords(Context ctx) {
        String topic = topic(ctx, pipeline(ctx));
        int last = count(ctx, "last", 10, MAX_LAST);
        ArrayNode result = JSON.createArrayNode();
        tail.last(topic, last).forEach(result::add);
        ok(ctx, result);
    }

    /**
     * {@code ?topic=in|out|dlq&limit=N}: each record committed from now on, as a server-sent event {@code record}
     * whose data is the record's JSON; the stream ends after N records (0 or absent: when the client goes).
     */
    private void liveRecords(Context ctx) throws Exception {
        String topic = topic(ctx, pipeline(ctx));
        int limit = count(ctx, "limit", 0, Integer.MAX_VALUE);
        String accept = ctx.header("Accept");
        if (accept == null || !accept.contains("text/event-stream")) {
            // Javalin streams only to a client that asks for it, as EventSource and sluice tail --follow do.
            throw new IngestError(
                    ErrorCode.NOT_ACCEPTABLE,
                    "a live tail is a stream of server-sent events: send Accept: text/event-stream");
        }
        if (!liveTails.tryAcquire()) {
            throw new IngestError(
                    ErrorCode.TOO_MANY_STREAMS,
                    MAX_LIVE_TAILS + " live tails are open on this process; close one or try another process");
        }
        AtomicBoolean following = new AtomicBoolean();
        try {
            new SseHandler(client -> {
                        following.set(true);
                        follow(client, topic, limit);
                    })
                    .handle(ctx);
        } finally {
            // A client gone before the stream began (flushing the headers fails) never reaches follow().
            if (!following.get()) {
                liveTails.release();
            }
        }
    }

    /**
     * Ends every live tail, so that a stopping server does not wait for them as for requests in flight. Call it
     * before the HTTP server stops.
     */
    public void closeStreams() {
        openStreams.forEach(SseClient::close);
    }

    /** {@code ?last=N}: of the last N dead letters (default 100), those no replay has put back yet. */
    private void deadLetters(Context ctx) {
        PipelineConfig pipeline = pipeline(ctx);
        int last = count(ctx, "last", 100, MAX_LAST);
        Set<String> replayed = replay.replayedOf(pipeline);
        ArrayNode result = JSON.createArrayNode();
        for (ObjectNode r : tail.last(pipeline.dlqTopic(), last)) {
            if (!replayed.contains(
                    r.path("partition").asInt() + "@" + r.path("offset").asLong())) {
                result.add(r);
            }
        }
        ok(ctx, result);
    }

    /**
     * Puts back the dead letters a JSON body selects ({@code stage}, {@code transform}, {@code since} and
     * {@code until} as ISO-8601 instants; none: all) that no replay has put back yet.
     */
    private void replayDeadLetters(Context ctx) {
        PipelineConfig pipeline = pipeline(ctx);
        requireJson(ctx);
        ReplayFilter filter = replayFilter(ctx.body());
        DeadLetterReplay.Result done;
        try {
            done = replay.replay(pipeline, filter);
        } catch (ProducerFencedException | InvalidProducerEpochException e) {
            throw new IngestError(
                    ErrorCode.REPLAY_IN_PROGRESS,
                    "another replay of " + pipeline.name() + "'s dead letters started meanwhile; this one wrote"
                            + " nothing more, and the other goes on. Run it again once that one is done: what is"
                            + " replayed is not replayed twice");
        }
        ok(
                ctx,
                JSON.createObjectNode()
                        .put("replayed", done.replayed())
                        .put("alreadyReplayed", done.alreadyReplayed())
                        .put("notMatched", done.notMatched()));
    }

    /**
     * Starts re-ingesting the NDJSON objects a JSON body names ({@code from}: {@code s3://bucket/prefix}; {@code
     * since}, {@code until}: their last-modified times) into the pipeline; 202 with the backfill, whose progress
     * {@code GET /api/v1/backfills/{id}} answers.
     */
    private void startBackfill(Context ctx) {
        PipelineConfig pipeline = pipeline(ctx);
        requireJson(ctx);
        JsonNode body = jsonObject(ctx.body(), List.of("from", "since", "until"));
        Backfill.From from;
        try {
            from = Backfill.From.parse(body.path("from").asText(null), instant(body, "since"), instant(body, "until"));
        } catch (IllegalArgumentException e) {
            throw new IngestError(ErrorCode.BAD_REQUEST, e.getMessage());
        }
        Backfill started;
        try {
            started = backfills.start(pipeline, from);
        } catch (SdkException e) {
            throw new IngestError(
                    ErrorCode.BAD_REQUEST,
                    "cannot list s3://" + from.bucket() + "/" + from.prefix() + ": " + e.getMessage());
        }
        ctx.status(202);
        ok(ctx, started.toJson());
    }

    private void listBackfills(Context ctx) {
        String name = pipeline(ctx).name();
        ArrayNode result = JSON.createArrayNode();
        backfills.all().stream()
                .map(Backfill::toJson)
                .filter(b -> b.path("pipeline").asText().equals(name))
                .forEach(result::add);
        ok(ctx, result);
    }

    private void getBackfill(Context ctx) {
        String id = ctx.pathParam("id");
        Backfill backfill = backfills
                .get(id)
                .orElseThrow(() -> new IngestError(
                        ErrorCode.NOT_FOUND,
                        "no backfill " + id + " on this process (backfills are kept where they ran)"));
        ok(ctx, backfill.toJson());
    }

    private static ReplayFilter replayFilter(String body) {
        if (body == null || body.isBlank()) {
            return ReplayFilter.ALL;
        }
        JsonNode json = jsonObject(body, List.of("stage", "transform", "since", "until"));
        try {
            return new ReplayFilter(
                    json.hasNonNull("stage")
                            ? ReplayFilter.stage(json.get("stage").asText())
                            : null,
                    json.hasNonNull("transform") ? json.get("transform").asText() : null,
                    instant(json, "since"),
                    instant(json, "until"));
        } catch (IllegalArgumentException e) {
            throw new IngestError(ErrorCode.BAD_REQUEST, e.getMessage());
        }
    }

    /**
     * A POST that changes something must say it sends JSON: a browser sends that only after asking the server
     * (a CORS preflight, which this API does not grant), so another site's page cannot trigger a replay or a
     * backfill on an open {@code sluice dev}.
     */
    private static void requireJson(Context ctx) {
        String type = ctx.header("Content-Type");
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            throw new IngestError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "send the body as Content-Type: application/json");
        }
    }

    /** A request's JSON object, with only the {@code known} fields (none given: an empty object). */
    private static JsonNode jsonObject(String body, List<String> known) {
        if (body == null || body.isBlank()) {
            return JSON.createObjectNode();
        }
        JsonNode json;
        try {
            json = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new IngestError(ErrorCode.INVALID_JSON, "the body is not JSON: " + e.getOriginalMessage());
        }
        if (!json.isObject()) {
            throw new IngestError(ErrorCode.INVALID_JSON, "the body must be a JSON object");
        }
        for (String field : json.properties().stream().map(Map.Entry::getKey).toList()) {
            if (!known.contains(field)) {
                throw new IngestError(
                        ErrorCode.BAD_REQUEST, "unknown field '" + field + "': use " + String.join(", ", known));
            }
        }
        return json;
    }

    private static Instant instant(JsonNode json, String field) {
        if (!json.hasNonNull(field)) {
            return null;
        }
        try {
            return Instant.parse(json.get(field).asText());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(
                    field + " must be an ISO-8601 instant such as 2026-11-28T08:00:00Z, not '"
                            + json.get(field).asText() + "'");
        }
    }

    private void follow(SseClient client, String topic, int limit) {
        client.keepAlive();
        openStreams.add(client);
        // Jetty's threads serve requests; a tail waits on Kafka, so it gets a thread of its own.
        Thread follower = new Thread(
                () -> {
                    try (RecordTail.Follower records = tail.follow(topic)) {
                        // Says from when: a record committed after this comment is sent.
                        client.sendComment("following " + topic);
                        long lastSent = System.nanoTime();
                        int sent = 0;
                        while (!client.terminated()) {
                            for (ObjectNode r : records.poll(Duration.ofMillis(250))) {
                                client.sendEvent("record", r.toString());
                                lastSent = System.nanoTime();
                                if (limit > 0 && ++sent >= limit) {
                                    return;
                                }
                            }
                            // A quiet stream still writes now and then: that is how a gone client is noticed.
                            if (System.nanoTime() - lastSent > KEEP_ALIVE_NANOS) {
                                client.sendComment("keep-alive");
                                lastSent = System.nanoTime();
                            }
                        }
                    } catch (RuntimeException e) {
                        log.warn("a live tail of {} stopped", topic, e);
                    } finally {
                        openStreams.remove(client);
                        liveTails.release();
                        client.close();
                    }
                },
                "sluice-live-tail");
        follower.setDaemon(true);
        follower.start();
    }

    private PipelineConfig pipeline(Context ctx) {
        String name = ctx.pathParam("pipeline");
        return config.pipeline(name)
                .orElseThrow(() -> new IngestError(ErrorCode.UNKNOWN_PIPELINE, "no pipeline named '" + name + "'"));
    }

    /** The {@code topic} parameter: {@code in} (the default), {@code out} or {@code dlq}. */
    private static String topic(Context ctx, PipelineConfig pipeline) {
        String which = ctx.queryParam("topic");
        if (which == null || which.equals("in")) {
            return pipeline.topic();
        }
        return switch (which) {
            case "out" -> pipeline.outputTopic();
            case "dlq" -> pipeline.dlqTopic();
            default ->
                throw new IngestError(ErrorCode.BAD_REQUEST, "topic must be in, out or dlq, not '" + which + "'");
        };
    }

    private static int count(Context ctx, String param, int byDefault, int max) {
        String value = ctx.queryParam(param);
        if (value == null) {
            return byDefault;
        }
        try {
            int n = Integer.parseInt(value);
            if (n >= 0 && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new IngestError(
                ErrorCode.BAD_REQUEST, param + " must be a number from 0 to " + max + ", not '" + value + "'");
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
        stats.apply(p.name())
                .ifPresentOrElse(
                        s -> figures.put("recordsIn", s.recordsIn())
                                .put("recordsOut", s.recordsOut())
                                .put("recordsInPerSecond", s.inPerSecond())
                                .put("recordsOutPerSecond", s.outPerSecond())
                                .put("backlog", s.backlog())
                                .put("processorLag", s.processorLag())
                                .put("freshnessSeconds", round(s.freshnessSeconds()))
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

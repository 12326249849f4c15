package dev.sluice.ingest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.wire.Source;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Frame;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.server.ServerUpgradeRequest;
import org.eclipse.jetty.websocket.server.ServerUpgradeResponse;
import org.eclipse.jetty.websocket.server.ServerWebSocketContainer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ws://…/ingest/{pipeline}}: each message (text or binary) is a JSON array, one object, or NDJSON
 * (optionally after a first line {@code Idempotency-Key: k}, see {@link IdempotencyKey}), and gets exactly one
 * answer, in message order: {@code {"seq":n,"success":true,"committed":k}} once Kafka committed it, or
 * {@code {"seq":n,"success":false,"error":{…}}} with the same codes as HTTP. The upgrade needs the same token as
 * a POST; an unknown pipeline or a bad token is a plain 404/401/403 to the upgrade request.
 *
 * <p>Clients may send many messages without waiting. A connection reads its next frame only while it has less
 * than {@link #MAX_IN_FLIGHT_BYTES} of messages unanswered; past that, Jetty reads nothing more from it and TCP
 * pushes back on the client instead of the server buffering without limit. A connection's messages share one
 * producer lane, so they reach Kafka in the order they were sent.
 *
 * <p>A Jetty handler in front of the Javalin app, as {@link IngestHandler} is for POST, and on Jetty's frame API
 * rather than its text API: a text message then arrives as the bytes the client sent, where a {@code String}
 * cost a UTF-8 decode and an encode back (≈800 B per record). The UTF-8 check is the records' own, so a frame
 * that is not UTF-8 is answered {@code invalid_json} naming the record, like a POST, and the connection stays
 * open (RFC 6455 would close it; the client would then learn less).
 */
final class WsIngestHandler extends Handler.Wrapper {
    private static final Logger log = LoggerFactory.getLogger(WsIngestHandler.class);
    static final long MAX_IN_FLIGHT_BYTES = 8L << 20;

    private final Ingest ingest;
    private final ServerWebSocketContainer container;
    private final AtomicInteger connectionIds = new AtomicInteger();

    WsIngestHandler(Ingest ingest, Server server) {
        this.ingest = ingest;
        this.container = ServerWebSocketContainer.ensure(server);
        container.setIdleTimeout(Duration.ofMinutes(5));
    }

    @Override
    public boolean handle(Request request, Response response, org.eclipse.jetty.util.Callback callback)
            throws Exception {
        String pipeline = HttpMethod.GET.is(request.getMethod())
                ? IngestHandler.pipelineOf(request.getHttpURI().getDecodedPath())
                : null;
        // Not an upgrade (a plain GET): Javalin answers it, as any other request.
        if (pipeline != null
                && container.upgrade(
                        (upgrade, answer, done) -> open(pipeline, upgrade, answer, done),
                        request,
                        response,
                        callback)) {
            return true;
        }
        return super.handle(request, response, callback);
    }

    /** The upgrade's checks: a connection for a known pipeline and a valid token, else the refusal, as JSON. */
    private Connection open(
            String pipeline,
            ServerUpgradeRequest request,
            ServerUpgradeResponse response,
            org.eclipse.jetty.util.Callback callback) {
        Ingest.Endpoint endpoint = null;
        try {
            endpoint = ingest.endpoint(pipeline);
            endpoint.tokens.require(
                    request.getHeaders().get(HttpHeader.AUTHORIZATION), IngestHandler.tokenParameter(request));
            return new Connection(endpoint, connectionIds.incrementAndGet());
        } catch (IngestError e) {
            ingest.metrics().refused(endpoint == null ? null : endpoint.name(), Source.WS, e);
            response.setStatus(e.status());
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            response.write(true, ByteBuffer.wrap(Responses.errorBody(e).getBytes(StandardCharsets.UTF_8)), callback);
            return null;
        }
    }

    /**
     * One client connection: gathers each message from its frames, numbers messages, keeps the queue of unanswered
     * ones and decides when to read on. Not auto-demanding: Jetty reads the next frame only after {@code demand()},
     * called exactly once per frame taken. Public only because Jetty calls a listener through a public lookup.
     */
    public final class Connection implements Session.Listener {
        private final Ingest.Endpoint endpoint;
        private final int id;
        private final long maxMessageBytes;
        private final Deque<Pending> unanswered = new ArrayDeque<>();
        private Session session;
        /** The message so far, when it comes in more than one frame: {@code gathered} bytes of {@code fragments}. */
        private byte[] fragments;

        private int gathered;
        /** The message so far went over the pipeline's request limit. */
        private boolean tooLarge;

        private long inFlightBytes;
        private long seq;
        /** Set when a message left the connection at its bound; the answer that brings it under demands again. */
        private boolean paused;

        Connection(Ingest.Endpoint endpoint, int id) {
            this.endpoint = endpoint;
            this.id = id;
            this.maxMessageBytes = Math.min(endpoint.pipeline.http().maxRequestBytes(), Integer.MAX_VALUE - 8);
        }

        @Override
        public void onWebSocketOpen(Session session) {
            this.session = session;
            ingest.metrics().webSocketConnections(endpoint.name()).incrementAndGet();
            session.demand();
        }

        @Override
        public void onWebSocketFrame(Frame frame, Callback callback) {
            switch (frame.getType()) {
                case TEXT, BINARY, CONTINUATION -> {
                    byte[] whole = gather(frame);
                    callback.succeed(); // the payload was copied; Jetty may reuse its buffer
                    if (frame.isFin()) {
                        onMessage(whole);
                    } else {
                        session.demand();
                    }
                }
                case PING ->
                    session.sendPong(
                            frame.getPayload(),
                            Callback.from(
                                    () -> {
                                        callback.succeed();
                                        session.demand();
                                    },
                                    failed -> { // closing: read on, so that the client's CLOSE is seen
                                        callback.succeed();
                                        session.demand();
                                    }));
                case PONG -> {
                    callback.succeed();
                    session.demand();
                }
                case CLOSE -> callback.succeed(); // Jetty answers it and closes; nothing more to read
            }
        }

        /**
         * Adds a data frame's payload to the message; returns the message's bytes on its last frame (null if it went
         * over the pipeline's request limit: its frames are then read and dropped).
         */
        private byte[] gather(Frame frame) {
            ByteBuffer payload = frame.getPayload();
            int length = payload == null ? 0 : payload.remaining();
            if (frame.isFin() && gathered == 0 && !tooLarge) {
                if (length > maxMessageBytes) {
                    return null;
                }
                // Whole in one frame: one copy, exact size. Jetty splits a frame that its 4 KB read did not hold
                // whole, so larger messages are mostly gathered below.
                byte[] whole = new byte[length];
                if (length > 0) {
                    payload.get(whole);
                }
                return whole;
            }
            if (!tooLarge && gathered + (long) length > maxMessageBytes) {
                tooLarge = true;
                fragments = null;
            }
            if (!tooLarge && length > 0) {
                makeRoom(gathered + length);
                payload.get(fragments, gathered, length);
                gathered += length;
            }
            if (!frame.isFin()) {
                return null;
            }
            byte[] whole = tooLarge ? null : Arrays.copyOf(fragments == null ? new byte[0] : fragments, gathered);
            fragments = null;
            gathered = 0;
            tooLarge = false;
            return whole;
        }

        /** Grows {@code fragments} to hold {@code needed} bytes, at most the pipeline's limit (checked before). */
        private void makeRoom(int needed) {
            int size = fragments == null ? 0 : fragments.length;
            if (size < needed) {
                long grown = Math.max(needed, Math.max(2L * size, 1024));
                fragments = Arrays.copyOf(
                        fragments == null ? new byte[0] : fragments, (int) Math.min(grown, maxMessageBytes));
            }
        }

        /** One whole message (null: over the limit): hand it over, then read on unless the connection is at its bound. */
        private void onMessage(byte[] body) {
            long bytes = body == null ? 0 : body.length;
            Pending pending;
            synchronized (this) {
                pending = new Pending(++seq, bytes);
                unanswered.addLast(pending);
                inFlightBytes += bytes;
            }
            String requestId = "ws-" + id + "-" + pending.seq;
            try {
                if (body == null) {
                    throw RequestBodies.tooLarge(endpoint.pipeline.http().maxRequestBytes());
                }
                IdempotencyKey.Frame keyed = IdempotencyKey.ofFrame(body);
                // The callback answers the message for either outcome of the request.
                Future<?> unused = ingest.accept(
                                endpoint,
                                keyed.records(),
                                formatOf(keyed.records()),
                                Source.WS,
                                requestId,
                                id,
                                keyed.key())
                        .whenComplete((committed, error) -> {
                            try {
                                if (error == null) {
                                    answer(
                                            pending,
                                            Responses.object()
                                                    .put("seq", pending.seq)
                                                    .put("success", true)
                                                    .put("committed", committed));
                                } else {
                                    log.warn(
                                            "{}: Kafka did not commit pipeline {}'s records: {}",
                                            requestId,
                                            endpoint.name(),
                                            KafkaFailures.cause(error).toString());
                                    refuse(pending, KafkaFailures.of(error, requestId));
                                }
                            } catch (RuntimeException e) {
                                // The returned stage is dropped: nothing else would say an answer went missing.
                                log.error("{}: answering failed", requestId, e);
                            }
                        });
            } catch (IngestError e) {
                refuse(pending, e);
            } catch (RuntimeException e) {
                log.error("{} failed", requestId, e);
                refuse(
                        pending,
                        new IngestError(
                                ErrorCode.INTERNAL_ERROR,
                                "the server failed to handle the message; see its log (" + requestId + ")"));
            }
            boolean readOn;
            synchronized (this) {
                readOn = inFlightBytes < MAX_IN_FLIGHT_BYTES;
                paused = !readOn;
            }
            if (readOn) {
                session.demand();
            }
        }

        private void refuse(Pending pending, IngestError e) {
            ingest.metrics().refused(endpoint.name(), Source.WS, e);
            ObjectNode answer = Responses.object().put("seq", pending.seq).put("success", false);
            answer.set("error", Responses.errorObject(e));
            answer(pending, answer);
        }

        /** Answers go out in message order: an answer waits until every earlier message is answered. */
        private void answer(Pending pending, ObjectNode answer) {
            boolean resume;
            synchronized (this) {
                pending.answer = answer.toString();
                while (!unanswered.isEmpty() && unanswered.peekFirst().answer != null) {
                    Pending done = unanswered.removeFirst();
                    inFlightBytes -= done.bytes;
                    if (session.isOpen()) {
                        session.sendText(done.answer, Callback.NOOP);
                    }
                }
                resume = paused && inFlightBytes < MAX_IN_FLIGHT_BYTES;
                if (resume) {
                    paused = false;
                }
            }
            if (resume) {
                session.demand(); // Jetty reads on another thread: this one only answered
            }
        }

        @Override
        public void onWebSocketClose(int statusCode, String reason, Callback callback) {
            ingest.metrics().webSocketConnections(endpoint.name()).decrementAndGet();
            callback.succeed();
        }

        @Override
        public void onWebSocketError(Throwable cause) {
            log.debug("WebSocket error on {}: {}", endpoint.name(), String.valueOf(cause));
        }
    }

    /** A JSON array is one format; anything starting with an object may hold several, one per line. */
    private static BodyFormat formatOf(byte[] body) {
        for (byte b : body) {
            if (b == '[') {
                return BodyFormat.JSON;
            }
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                return BodyFormat.NDJSON;
            }
        }
        return BodyFormat.JSON;
    }

    /** A message taken and not yet answered. */
    private static final class Pending {
        final long seq;
        final long bytes;
        String answer;

        Pending(long seq, long bytes) {
            this.seq = seq;
            this.bytes = bytes;
        }
    }
}

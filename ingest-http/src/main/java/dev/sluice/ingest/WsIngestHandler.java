package dev.sluice.ingest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.wire.Source;
import io.javalin.http.Context;
import io.javalin.websocket.WsConfig;
import io.javalin.websocket.WsContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ws://…/ingest/{pipeline}}: each text frame is a JSON array, one object, or NDJSON (optionally
 * after a first line {@code Idempotency-Key: k}, see {@link IdempotencyKey}), and gets
 * exactly one answer, in frame order: {@code {"seq":n,"success":true,"committed":k}} once Kafka
 * committed it, or {@code {"seq":n,"success":false,"error":{…}}} with the same codes as HTTP.
 *
 * <p>Clients may send many frames without waiting. Each connection may have at most
 * {@link #MAX_IN_FLIGHT_BYTES} of frames unanswered; past that, the handler does not return from
 * {@code onMessage}, Jetty reads no further frame, and TCP pushes back on the client instead of the
 * server buffering without limit. A connection's frames share one producer lane, so they reach
 * Kafka in the order they were sent.
 */
final class WsIngestHandler {
    private static final Logger log = LoggerFactory.getLogger(WsIngestHandler.class);
    static final long MAX_IN_FLIGHT_BYTES = 8L << 20;
    private static final String CONNECTION = "sluice.connection";

    private final Ingest ingest;
    private final AtomicInteger connectionIds = new AtomicInteger();

    WsIngestHandler(Ingest ingest) {
        this.ingest = ingest;
    }

    /** Runs on the HTTP upgrade request, so an unknown pipeline or a bad token is a plain 404/401/403. */
    void beforeUpgrade(Context ctx) {
        Ingest.Endpoint endpoint = ingest.endpoint(ctx.pathParam("pipeline"));
        endpoint.tokens.require(ctx.header("Authorization"), ctx.queryParam("token"));
    }

    void configure(WsConfig ws) {
        ws.onConnect(ctx -> {
            Ingest.Endpoint endpoint = ingest.endpoint(ctx.pathParam("pipeline"));
            ctx.attribute(CONNECTION, new Connection(endpoint, connectionIds.incrementAndGet(), ctx.session));
            ingest.metrics().webSocketConnections(endpoint.name()).incrementAndGet();
        });
        ws.onMessage(ctx -> connection(ctx).onFrame(ctx.message()));
        ws.onClose(ctx -> {
            Connection connection = connection(ctx);
            if (connection != null) {
                connection.closed();
                ingest.metrics()
                        .webSocketConnections(connection.endpoint.name())
                        .decrementAndGet();
            }
        });
        ws.onError(
                ctx -> log.debug("WebSocket error on {}: {}", ctx.pathParam("pipeline"), String.valueOf(ctx.error())));
    }

    private static Connection connection(WsContext ctx) {
        return ctx.attribute(CONNECTION);
    }

    /** One client connection: frame numbering, the queue of unanswered frames, and the in-flight bound. */
    private final class Connection {
        private final Ingest.Endpoint endpoint;
        private final int id;
        private final Session session;
        private final Deque<Frame> unanswered = new ArrayDeque<>();
        private long inFlightBytes;
        private long seq;
        private boolean closed;

        Connection(Ingest.Endpoint endpoint, int id, Session session) {
            this.endpoint = endpoint;
            this.id = id;
            this.session = session;
        }

        /** Called by Jetty for one frame at a time; blocks while the connection has too much unanswered. */
        void onFrame(String text) throws InterruptedException {
            byte[] body = text.getBytes(StandardCharsets.UTF_8);
            Frame frame;
            synchronized (this) {
                while (!closed && inFlightBytes > 0 && inFlightBytes + body.length > MAX_IN_FLIGHT_BYTES) {
                    wait(1_000);
                }
                frame = new Frame(++seq, body.length);
                unanswered.addLast(frame);
                inFlightBytes += body.length;
            }
            String requestId = "ws-" + id + "-" + frame.seq;
            try {
                if (body.length > endpoint.pipeline.http().maxRequestBytes()) {
                    throw RequestBodies.tooLarge(endpoint.pipeline.http().maxRequestBytes());
                }
                IdempotencyKey.Frame keyed = IdempotencyKey.ofFrame(body);
                // The callback answers the frame for either outcome of the request.
                Future<?> unused = ingest.accept(
                                endpoint,
                                keyed.records(),
                                formatOf(keyed.records()),
                                Source.WS,
                                requestId,
                                id,
                                keyed.key())
                        .whenComplete((committed, error) -> {
                            if (error == null) {
                                answer(
                                        frame,
                                        Responses.object()
                                                .put("seq", frame.seq)
                                                .put("success", true)
                                                .put("committed", committed));
                            } else {
                                log.warn(
                                        "{}: Kafka did not commit pipeline {}'s records: {}",
                                        requestId,
                                        endpoint.name(),
                                        KafkaFailures.cause(error).toString());
                                refuse(frame, KafkaFailures.of(error, requestId));
                            }
                        });
            } catch (IngestError e) {
                refuse(frame, e);
            } catch (RuntimeException e) {
                log.error("{} failed", requestId, e);
                refuse(
                        frame,
                        new IngestError(
                                ErrorCode.INTERNAL_ERROR,
                                "the server failed to handle the frame; see its log (" + requestId + ")"));
            }
        }

        private void refuse(Frame frame, IngestError e) {
            ingest.metrics().refused(endpoint.name(), Source.WS, e);
            ObjectNode answer = Responses.object().put("seq", frame.seq).put("success", false);
            answer.set("error", Responses.errorObject(e));
            answer(frame, answer);
        }

        /** Answers go out in frame order: a frame's answer waits until every earlier frame is answered. */
        private synchronized void answer(Frame frame, ObjectNode answer) {
            frame.answer = answer.toString();
            while (!unanswered.isEmpty() && unanswered.peekFirst().answer != null) {
                Frame done = unanswered.removeFirst();
                inFlightBytes -= done.bytes;
                if (session.isOpen()) {
                    session.sendText(done.answer, Callback.NOOP);
                }
            }
            notifyAll();
        }

        synchronized void closed() {
            closed = true;
            notifyAll();
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

    private static final class Frame {
        final long seq;
        final long bytes;
        String answer;

        Frame(long seq, long bytes) {
            this.seq = seq;
            this.bytes = bytes;
        }
    }
}

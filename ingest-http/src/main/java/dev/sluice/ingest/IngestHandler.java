package dev.sluice.ingest;

import static org.eclipse.jetty.util.thread.Invocable.InvocationType.BLOCKING;

import dev.sluice.wire.Source;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Promise;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /ingest/{pipeline}}: check who is asking and what they sent, accept every record or
 * none, and answer {@code {"success":true,"result":{"committed":N}}} only once Kafka committed all N.
 *
 * <p>A Jetty handler in front of the Javalin app rather than a Javalin route: this is the one endpoint
 * clients call tens of thousands of times a second, and Javalin's servlet layer cost more than the
 * whole exchange (`benchmarks/…/HttpStackCeiling`: about 2× the requests per second without it). Every
 * other request goes on to Javalin; the WebSocket upgrade on the same path is taken before it gets here, by
 * {@link WsIngestHandler}.
 */
final class IngestHandler extends Handler.Wrapper {
    private static final Logger log = LoggerFactory.getLogger(IngestHandler.class);
    /** One line per request at INFO; its level is WARN unless SLUICE_REQUEST_LOG=INFO (see logback.xml). */
    private static final Logger requestLog = LoggerFactory.getLogger("sluice.requests");

    static final String REQUEST_ID_HEADER = "X-Request-Id";
    private static final String PREFIX = "/ingest/";

    /**
     * How far beyond the pipeline's request limit a refused request's unread body is still read (and dropped) so
     * that its client gets the answer.
     */
    private static final long MAX_DISCARDED_BYTES = 4L << 20;

    private final Ingest ingest;

    IngestHandler(Ingest ingest) {
        this.ingest = ingest;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String pipeline = HttpMethod.POST.is(request.getMethod())
                ? pipelineOf(request.getHttpURI().getDecodedPath())
                : null;
        if (pipeline == null) {
            return super.handle(request, response, callback);
        }
        Exchange exchange = new Exchange(request, response, callback, pipeline);
        exchange.guarded(exchange::begin);
        return true;
    }

    /** The pipeline name in a path {@code /ingest/{name}}, or null for any other path. */
    static String pipelineOf(String path) {
        if (path == null || !path.startsWith(PREFIX)) {
            return null;
        }
        int end = path.endsWith("/") ? path.length() - 1 : path.length();
        String name = path.substring(PREFIX.length(), Math.max(PREFIX.length(), end));
        return name.isEmpty() || name.indexOf('/') >= 0 ? null : name;
    }

    /** {@code ?token=}; an undecodable query has none, as in Javalin, so the header can still count. */
    static String tokenParameter(Request request) {
        if (request.getHttpURI().getQuery() == null) {
            return null;
        }
        try {
            return Request.extractQueryParameters(request).getValue("token");
        } catch (IllegalArgumentException undecodable) {
            return null;
        }
    }

    /** One request, from its headers to its answer. */
    private final class Exchange {
        private final Request request;
        private final Response response;
        private final Callback callback;
        private final String pipeline;
        private final String requestId = RequestIds.next();
        private final long startNanos = System.nanoTime();
        private final AtomicBoolean answered = new AtomicBoolean();
        /** Set once the whole body was read; until then a refusal reads what is left first (see answer). */
        private volatile boolean bodyRead;

        private Ingest.Endpoint endpoint;

        Exchange(Request request, Response response, Callback callback, String pipeline) {
            this.request = request;
            this.response = response;
            this.callback = callback;
            this.pipeline = pipeline;
        }

        void begin() {
            response.getHeaders().put(REQUEST_ID_HEADER, requestId);
            endpoint = ingest.endpoint(pipeline);
            endpoint.cors.decorate(header(HttpHeader.ORIGIN), response.getHeaders()::put);
            endpoint.tokens.require(header(HttpHeader.AUTHORIZATION), tokenParameter(request));
            BodyFormat format = BodyFormat.of(header(HttpHeader.CONTENT_TYPE));
            long limit = endpoint.pipeline.http().maxRequestBytes();
            if (request.getLength() > limit) {
                throw RequestBodies.tooLarge(limit);
            }
            // One byte over the limit is enough to know the body is too large.
            int readLimit = (int) Math.min(Integer.MAX_VALUE - 8, limit + 1);
            // BLOCKING: what follows parses the body, which must not run on Jetty's selector thread.
            Content.Source.asByteArrayAsync(
                    request,
                    readLimit,
                    Promise.Invocable.from(
                            BLOCKING,
                            (raw, error) -> guarded(() -> {
                                bodyRead = error == null;
                                if (error != null) {
                                    // Jetty fails a body longer than readLimit with IllegalStateException (a chunked
                                    // body: one with a Content-Length was refused above); anything else is a broken
                                    // upload.
                                    throw error instanceof IllegalStateException
                                            ? RequestBodies.tooLarge(limit)
                                            : new IngestError(
                                                    ErrorCode.BAD_REQUEST, "the request body could not be read");
                                }
                                if (raw.length > limit) {
                                    throw RequestBodies.tooLarge(limit);
                                }
                                send(raw, format, limit);
                            })));
        }

        private void send(byte[] raw, BodyFormat format, long limit) {
            byte[] body = RequestBodies.decode(raw, header(HttpHeader.CONTENT_ENCODING), limit);
            IdempotencyKey key = IdempotencyKey.of(request.getHeaders().get(IdempotencyKey.HEADER), body);
            var unused = ingest.accept(endpoint, body, format, Source.HTTP, requestId, -1, key)
                    .whenComplete((committed, error) -> guarded(() -> {
                        if (error == null) {
                            answer(200, Responses.committed(committed));
                        } else {
                            log.warn(
                                    "request {}: Kafka did not commit pipeline {}'s records: {}",
                                    requestId,
                                    endpoint.name(),
                                    KafkaFailures.cause(error).toString());
                            refuse(KafkaFailures.of(error, requestId));
                        }
                    }));
        }

        void refuse(IngestError e) {
            ingest.metrics().refused(endpoint == null ? null : endpoint.name(), Source.HTTP, e);
            if (e.retryAfterSeconds > 0) {
                response.getHeaders().put(HttpHeader.RETRY_AFTER, Integer.toString(e.retryAfterSeconds));
            }
            answer(e.status(), Responses.errorBody(e));
        }

        /**
         * Runs a step of the exchange; what it throws becomes the answer. A step may run on Jetty's or
         * Kafka's threads, where nothing else would answer the client or finish the request.
         */
        void guarded(Runnable step) {
            try {
                try {
                    step.run();
                } catch (IngestError e) {
                    refuse(e);
                }
            } catch (Throwable t) {
                fail(t);
            }
        }

        private void fail(Throwable t) {
            try {
                log.error("POST {} failed (request {})", request.getHttpURI().getPath(), requestId, t);
                refuse(new IngestError(
                        ErrorCode.INTERNAL_ERROR,
                        "the server failed to handle the request; see its log (request " + requestId + ")"));
            } catch (Throwable again) {
                if (answered.compareAndSet(false, true)) {
                    callback.failed(t); // Jetty aborts the exchange: the request ends either way
                }
            }
        }

        /** Writes the one answer of the exchange; later attempts (a failure after it) are dropped. */
        private void answer(int status, String body) {
            if (!answered.compareAndSet(false, true)) {
                return;
            }
            response.setStatus(status);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            ByteBuffer content = ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8));
            long unread = bodyRead ? 0 : request.getLength();
            long allowance = MAX_DISCARDED_BYTES
                    + (endpoint == null ? 0 : endpoint.pipeline.http().maxRequestBytes());
            if (unread > 0 && unread <= allowance) {
                // A refusal before the body was read (401, 413, 415, ...): read the rest and drop it, then answer.
                // Closing with unread bytes makes the kernel reset the connection, and the client may lose the
                // answer before it reads it.
                Content.Source.consumeAll(
                        request,
                        Callback.from(
                                () -> response.write(true, content, callback),
                                failure -> response.write(true, content, callback)));
            } else {
                if (unread != 0) {
                    response.getHeaders().put(HttpHeader.CONNECTION, "close"); // too much to read only to drop
                }
                response.write(true, content, callback);
            }
            if (requestLog.isInfoEnabled()) {
                requestLog.info(
                        "method=POST path={} status={} ms={} request_id={} bytes_in={}",
                        request.getHttpURI().getPath(),
                        status,
                        String.format(Locale.ROOT, "%.1f", (System.nanoTime() - startNanos) / 1e6),
                        requestId,
                        request.getLength());
            }
        }

        private String header(HttpHeader name) {
            return request.getHeaders().get(name);
        }
    }
}

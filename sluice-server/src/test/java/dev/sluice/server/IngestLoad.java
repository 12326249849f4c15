package dev.sluice.server;

import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Posts batches of records with unique ids to a pipeline on its own thread until stopped, remembering
 * which ids were acknowledged and which were refused: the ledger exactly-once tests check output against.
 * Against a process the test kills, {@link #survivingCutConnections} keeps it going: a request whose
 * connection was cut has an unknown outcome (its records may or may not have been committed); one that found
 * nothing listening was never sent.
 */
final class IngestLoad implements AutoCloseable {
    private final String baseUrl;
    private final String pipeline;
    private final int perRequest;
    private final long pauseMillis;
    private final String extraFields;
    private final Thread thread;
    final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    final Set<String> refused = ConcurrentHashMap.newKeySet();
    /**
     * Ids of requests whose connection failed, or whose commit Kafka did not confirm in time: each may be
     * in the output once, or not at all.
     */
    final Set<String> unknown = ConcurrentHashMap.newKeySet();
    /** Ids of requests that found nothing listening (the process was down): never sent, so never in the output. */
    final Set<String> notSent = ConcurrentHashMap.newKeySet();

    private volatile boolean survivesCutConnections;
    private volatile String idPrefix;
    private volatile boolean running = true;
    private volatile Throwable failure;
    private int next;

    /**
     * @param extraFields JSON fields added to every record, e.g. {@code ,"pad":"…"}; {@code %d} is replaced by
     *                    the record's sequence number
     */
    IngestLoad(DevStack stack, String pipeline, int perRequest, long pauseMillis, String extraFields) {
        this(stack.httpBaseUrl(), pipeline, perRequest, pauseMillis, extraFields);
    }

    /** @param baseUrl where ingest serves, e.g. {@code http://127.0.0.1:8080} */
    IngestLoad(String baseUrl, String pipeline, int perRequest, long pauseMillis, String extraFields) {
        this.baseUrl = baseUrl;
        this.idPrefix = pipeline + "-";
        this.pipeline = pipeline;
        this.perRequest = perRequest;
        this.pauseMillis = pauseMillis;
        this.extraFields = extraFields;
        this.thread = new Thread(this::run, "ingest-load-" + pipeline);
    }

    /** Goes on when a request's connection fails (the process was killed), recording its ids as unknown. */
    IngestLoad survivingCutConnections() {
        survivesCutConnections = true;
        return this;
    }

    /** Ids {@code <name>-<n>}, for several loads on one pipeline. */
    IngestLoad named(String name) {
        idPrefix = name + "-";
        return this;
    }

    IngestLoad start() {
        thread.start();
        return this;
    }

    private void run() {
        try {
            while (running) {
                List<String> ids = new ArrayList<>();
                StringBuilder body = new StringBuilder("[");
                for (int i = 0; i < perRequest; i++) {
                    int n = next++;
                    String id = idPrefix + n;
                    ids.add(id);
                    body.append(i == 0 ? "" : ",")
                            .append("{\"id\":\"")
                            .append(id)
                            .append("\",\"k\":")
                            .append(n % 4)
                            .append(extraFields.replace("%d", Integer.toString(n)))
                            .append('}');
                }
                HttpResponse<String> response;
                try {
                    response =
                            TestStack.post(baseUrl, pipeline, body.append(']').toString());
                } catch (UncheckedIOException e) {
                    if (!survivesCutConnections) {
                        throw e;
                    }
                    (e.getCause() instanceof ConnectException ? notSent : unknown).addAll(ids);
                    Thread.sleep(Math.max(pauseMillis, 100)); // pacing: the process is down or restarting
                    continue;
                }
                if (response.statusCode() == 200) {
                    acknowledged.addAll(ids);
                } else if (response.body().contains("\"commit_outcome_unknown\"")) {
                    unknown.addAll(ids);
                } else {
                    refused.addAll(ids);
                }
                if (pauseMillis > 0) {
                    Thread.sleep(pauseMillis); // pacing the load, not waiting for a condition
                }
            }
        } catch (Throwable t) {
            failure = t;
        }
    }

    /** Stops sending and rethrows what made the sender fail, if anything did. */
    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join();
        if (failure != null) {
            throw new AssertionError("the load generator failed", failure);
        }
    }
}

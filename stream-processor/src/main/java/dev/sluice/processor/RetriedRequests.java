package dev.sluice.processor;

import dev.sluice.wire.SluiceHeaders;
import dev.sluice.wire.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * Where a retried request's records are dropped, so a request sent with an {@code Idempotency-Key} lands once
 * however often the client repeats it, through whichever ingest processes.
 *
 * <p>Ingest stamps each record of such a request with the key, the request's id and its body's digest
 * ({@link SluiceHeaders#IDEMPOTENCY_KEY}, {@link SluiceHeaders#REQUEST_ID}, {@link SluiceHeaders#IDEMPOTENCY_DIGEST})
 * and routes it by its partition key, or else by the idempotency key, so every attempt puts the same record on
 * the same partition. Each partition's task remembers, per key, the first request it saw carry it: that
 * request's records go on; another request's records with the same digest are a retry's and are dropped.
 * Two attempts may come first on different partitions, and that is fine: each record is kept exactly once
 * either way. The store is written in the same exactly-once transaction as the output, so a crash neither
 * forgets a key nor remembers one whose records were not written.
 *
 * <p>A key reused for another body is not a retry: those records go to the dead-letter topic (stage
 * {@code idempotency}), where nothing is lost and a replay puts them back on purpose. Keys are forgotten
 * {@code idempotency.window} after the first request's records (by record time).
 */
final class RetriedRequests {
    /** What to do with a record. */
    enum Verdict {
        /** No key, or the first request seen with its key: process it. */
        FORWARD,
        /** A later request with the same key and body: drop it. */
        RETRY,
        /** A later request with the same key and another body: dead-letter it. */
        KEY_REUSED
    }

    private final WindowStore<String, String> seen;
    private final long windowMillis;
    private String firstRequest;

    RetriedRequests(WindowStore<String, String> seen, Duration window) {
        this.seen = seen;
        this.windowMillis = window.toMillis();
    }

    /** The store, keyed by idempotency key, valued {@code requestId digest}, kept for the window. */
    static StoreBuilder<WindowStore<String, String>> store(Duration window) {
        return Stores.windowStoreBuilder(
                Stores.persistentWindowStore(Topics.PROCESSOR_IDEMPOTENCY_STORE, window, window, false),
                Serdes.String(),
                Serdes.String());
    }

    Verdict judge(Record<byte[], byte[]> record) {
        Headers headers = record.headers();
        Header keyHeader = headers.lastHeader(SluiceHeaders.IDEMPOTENCY_KEY);
        if (keyHeader == null) {
            return Verdict.FORWARD; // nearly every record: one header scan, nothing decoded
        }
        String key = text(keyHeader);
        String request = text(headers.lastHeader(SluiceHeaders.REQUEST_ID));
        // Without a request id the attempts cannot be told apart; a replay is an operator putting records back.
        if (key == null || request == null || headers.lastHeader(SluiceHeaders.REPLAY_OF) != null) {
            return Verdict.FORWARD;
        }
        String digest = String.valueOf(text(headers.lastHeader(SluiceHeaders.IDEMPOTENCY_DIGEST)));
        long at = record.timestamp();
        String first = null;
        try (WindowStoreIterator<String> found = seen.fetch(key, at - windowMillis, at + windowMillis)) {
            if (found.hasNext()) {
                first = found.next().value;
            }
        }
        if (first == null) {
            seen.put(key, request + " " + digest, at);
            return Verdict.FORWARD;
        }
        int space = first.lastIndexOf(' ');
        firstRequest = first.substring(0, space);
        if (firstRequest.equals(request)) {
            return Verdict.FORWARD;
        }
        return first.substring(space + 1).equals(digest) ? Verdict.RETRY : Verdict.KEY_REUSED;
    }

    /** After {@link Verdict#KEY_REUSED}: the request that used the key first. */
    String firstRequest() {
        return firstRequest;
    }

    private static String text(Header header) {
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}

package dev.sluice.ingest;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The requests with an {@code Idempotency-Key} this process took lately. A retry that reaches the same
 * process shares the first attempt's outcome, in flight or committed, and writes nothing again; the same key
 * with another body is refused with 422 {@code idempotency_key_reused}. A failed attempt is forgotten, so its
 * retry is sent anew.
 *
 * <p>This is a shortcut, not the guarantee: it knows only this process's requests since it started, the
 * latest {@link #CAPACITY}. Retries that reach another process, or come after a restart, are written again
 * and the processor drops their records (its {@code RetriedRequests}).
 */
final class RecentRequests {
    /** About 100 bytes each: 10 MB at most. */
    static final int CAPACITY = 100_000;

    private final Clock clock;
    private final Map<String, Attempt> attempts = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Attempt> eldest) {
            return size() > CAPACITY;
        }
    };

    RecentRequests(Clock clock) {
        this.clock = clock;
    }

    private record Attempt(String digest, long sinceMillis, CompletableFuture<Integer> outcome) {}

    /**
     * The outcome of the first attempt with this key within {@code window}, or else {@code send}'s.
     *
     * @throws IngestError {@code idempotency_key_reused} when the first attempt had another body, or whatever
     *                     {@code send} throws
     */
    CompletableFuture<Integer> accept(
            String pipeline, IdempotencyKey key, Duration window, Supplier<CompletableFuture<Integer>> send) {
        String id = pipeline + '\n' + key.key();
        long now = clock.millis();
        Attempt mine = new Attempt(key.digest(), now, new CompletableFuture<>());
        synchronized (attempts) {
            Attempt first = attempts.get(id);
            if (first != null
                    && now - first.sinceMillis <= window.toMillis()
                    && !first.outcome.isCompletedExceptionally()) {
                if (!first.digest.equals(key.digest())) {
                    throw new IngestError(
                            ErrorCode.IDEMPOTENCY_KEY_REUSED,
                            IdempotencyKey.HEADER + " '" + key.key() + "' was used for another body within "
                                    + "idempotency.window ("
                                    + window.toString().substring(2).toLowerCase(Locale.ROOT)
                                    + "); use a new key for a new request");
                }
                return first.outcome.copy();
            }
            attempts.put(id, mine);
        }
        CompletableFuture<Integer> sent;
        try {
            sent = send.get();
        } catch (RuntimeException e) {
            forget(id, mine);
            mine.outcome.completeExceptionally(e);
            throw e;
        }
        return sent.whenComplete((committed, error) -> {
            if (error == null) {
                mine.outcome.complete(committed);
            } else {
                forget(id, mine);
                mine.outcome.completeExceptionally(error);
            }
        });
    }

    private void forget(String id, Attempt attempt) {
        synchronized (attempts) {
            attempts.remove(id, attempt);
        }
    }
}

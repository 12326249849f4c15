package dev.sluice.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A retry that reaches the process that took the first attempt: answered from it, or refused when reused. */
class RecentRequestsTest {
    private static final Duration WINDOW = Duration.ofHours(24);
    private static final IdempotencyKey KEY = IdempotencyKey.of("k", utf8("body"));

    private final MutableClock clock = new MutableClock();
    private final RecentRequests recent = new RecentRequests(clock);
    private final AtomicInteger sends = new AtomicInteger();

    @Test
    void aRetryGetsTheFirstAttemptsOutcomeWithoutSendingAgain() throws Exception {
        CompletableFuture<Integer> kafka = new CompletableFuture<>();
        CompletableFuture<Integer> first = recent.accept("events", KEY, WINDOW, () -> send(kafka));
        CompletableFuture<Integer> inFlightRetry = recent.accept("events", KEY, WINDOW, () -> send(kafka));
        assertFalse(inFlightRetry.isDone(), "a retry while the first is in flight waits for its outcome");

        kafka.complete(7);
        assertEquals(7, first.get());
        assertEquals(7, inFlightRetry.get());
        clock.advance(WINDOW);
        assertEquals(
                7,
                recent.accept("events", KEY, WINDOW, () -> send(new CompletableFuture<>()))
                        .get());
        assertEquals(1, sends.get());
    }

    @Test
    void theSameKeyForAnotherBodyIsRefusedAndNothingIsSent() {
        assertTrue(recent.accept("events", KEY, WINDOW, () -> send(CompletableFuture.completedFuture(1)))
                .isDone());
        IngestError e = assertThrows(
                IngestError.class,
                () -> recent.accept("events", IdempotencyKey.of("k", utf8("other")), WINDOW, () -> send(null)));
        assertEquals(ErrorCode.IDEMPOTENCY_KEY_REUSED, e.code());
        assertTrue(e.getMessage().contains("24h"), e.getMessage());
        assertEquals(1, sends.get());
    }

    @Test
    void aFailedOrRefusedAttemptIsForgottenSoItsRetryIsSent() throws Exception {
        CompletableFuture<Integer> failing = new CompletableFuture<>();
        CompletableFuture<Integer> first = recent.accept("events", KEY, WINDOW, () -> send(failing));
        failing.completeExceptionally(new IllegalStateException("aborted"));
        assertThrows(ExecutionException.class, first::get);
        assertThrows(
                IngestError.class,
                () -> recent.accept("events", KEY, WINDOW, () -> {
                    sends.incrementAndGet();
                    throw new IngestError(ErrorCode.BACKPRESSURE, "full");
                }));

        assertEquals(
                3,
                recent.accept("events", KEY, WINDOW, () -> send(CompletableFuture.completedFuture(3)))
                        .get());
        assertEquals(3, sends.get());
    }

    @Test
    void keysAreForgottenAfterTheWindowAndArePerPipeline() throws Exception {
        assertEquals(
                1,
                recent.accept("events", KEY, WINDOW, () -> send(CompletableFuture.completedFuture(1)))
                        .get());
        assertEquals(
                2,
                recent.accept("clicks", KEY, WINDOW, () -> send(CompletableFuture.completedFuture(2)))
                        .get());
        clock.advance(WINDOW.plusMillis(1));
        assertEquals(
                4,
                recent.accept("events", KEY, WINDOW, () -> send(CompletableFuture.completedFuture(4)))
                        .get());
        assertEquals(3, sends.get());
    }

    private CompletableFuture<Integer> send(CompletableFuture<Integer> outcome) {
        sends.incrementAndGet();
        return outcome;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static final class MutableClock extends Clock {
        private Instant now = Instant.parse("2026-11-28T12:00:00Z");

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }
}

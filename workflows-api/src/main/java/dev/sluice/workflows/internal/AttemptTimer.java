package dev.sluice.workflows.internal;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs a step body on the calling thread with a per-attempt timeout: when it runs out the thread is
 * interrupted, and an attempt that ends after that counts as timed out, whatever it returned or threw.
 */
final class AttemptTimer {
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sluice-step-watchdog");
        t.setDaemon(true);
        return t;
    });

    private AttemptTimer() {}

    static <T> T call(Callable<T> body, Duration timeout) throws Exception {
        Thread runner = Thread.currentThread();
        AtomicInteger alarmState = new AtomicInteger(); // 0 idle, 1 firing, 2 fired
        ScheduledFuture<?> alarm = WATCHDOG.schedule(
                () -> {
                    alarmState.set(1);
                    runner.interrupt();
                    alarmState.set(2);
                },
                timeout.toNanos(),
                TimeUnit.NANOSECONDS);
        try {
            T result = body.call();
            if (alarmState.get() > 0) {
                throw new StepTimeoutException(timeout);
            }
            return result;
        } catch (Exception e) {
            throw alarmState.get() > 0 ? new StepTimeoutException(timeout) : e;
        } finally {
            // Wait out an alarm that is firing now, then clear the interrupt it set: the thread goes on.
            if (!alarm.cancel(false)) {
                while (alarmState.get() != 2) {
                    Thread.onSpinWait();
                }
                Thread.interrupted();
            }
        }
    }

    /** An attempt that ran longer than its step's timeout. */
    static final class StepTimeoutException extends Exception {
        StepTimeoutException(Duration timeout) {
            super("the attempt ran longer than its timeout of " + timeout.toMillis() + " ms");
        }
    }
}

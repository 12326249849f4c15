package dev.sluice.server;

import java.util.concurrent.CountDownLatch;

/**
 * How {@code sluice dev} and {@code sluice run} end: on Ctrl-C or SIGTERM the JVM's shutdown hook
 * stops what was started (writing open batches first), and the command returns once it has.
 */
final class RunUntilStopped {
    private RunUntilStopped() {}

    /** Blocks until the process is asked to stop and {@code stop} has run. */
    static void await(Runnable stop) {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            stop.run();
                            stopped.countDown();
                        },
                        "sluice-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

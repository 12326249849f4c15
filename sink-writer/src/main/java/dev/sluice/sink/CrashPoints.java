package dev.sluice.sink;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.LoggerFactory;

/**
 * A test hook that makes the crash windows of the sink's protocol deterministic: with
 * {@code -Dsluice.sink.crashAt=afterUpload:3} the sink thread stops for good the third time an
 * object is uploaded but not yet confirmed, and logs {@code crash point afterUpload reached}, so a
 * test can kill -9 the process exactly there; with {@code -Dsluice.sink.crashReached=<file>} it also
 * creates that file, the signal a test waits for. Points: {@code afterRecord} (batch recorded, not yet
 * uploaded), {@code afterUpload} (uploaded, not yet confirmed). Without the property this costs one
 * string comparison per batch.
 */
final class CrashPoints {
    private static final String POINT;
    private static final int AT;
    private static final AtomicInteger reached = new AtomicInteger();

    static {
        String spec = System.getProperty("sluice.sink.crashAt", "");
        int colon = spec.indexOf(':');
        POINT = colon < 0 ? spec : spec.substring(0, colon);
        AT = colon < 0 ? 1 : Integer.parseInt(spec.substring(colon + 1));
    }

    private CrashPoints() {}

    static void reached(String point) {
        if (!POINT.isEmpty() && POINT.equals(point) && reached.incrementAndGet() == AT) {
            LoggerFactory.getLogger(CrashPoints.class).warn("crash point {} reached; waiting to be killed", point);
            String marker = System.getProperty("sluice.sink.crashReached");
            if (marker != null) {
                try {
                    // Written aside and moved, so a test that sees the file also sees its content.
                    Path target = Path.of(marker);
                    Path partial = target.resolveSibling(target.getFileName() + ".partial");
                    Files.writeString(partial, point);
                    Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot write the crash marker " + marker, e);
                }
            }
            while (true) {
                LockSupport.park();
            }
        }
    }
}

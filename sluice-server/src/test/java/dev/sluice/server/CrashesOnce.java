package dev.sluice.server;

import dev.sluice.transforms.Emitter;
import dev.sluice.transforms.Record;
import dev.sluice.transforms.Transform;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Throws an {@link Error}, which no {@code onError} handles, the first time it sees a record with a "crash"
 * field: the stream thread dies as it would of an unexpected failure. Passes every record after that.
 */
public final class CrashesOnce implements Transform {
    static final AtomicInteger CRASHES = new AtomicInteger();

    @Override
    public void apply(Record record, Emitter out) {
        if (record.has("crash") && CRASHES.compareAndSet(0, 1)) {
            throw new AssertionError("crashing the stream thread on record " + record.getString("id"));
        }
        out.emit(record);
    }
}

package dev.sluice.server;

import dev.sluice.transforms.Emitter;
import dev.sluice.transforms.Record;
import dev.sluice.transforms.Transform;

/** Throws on records with a "bad" field while {@link #BROKEN}: a transform that gets fixed. */
public final class Switchable implements Transform {
    static volatile boolean BROKEN = true;

    @Override
    public void apply(Record record, Emitter out) {
        if (BROKEN && record.has("bad")) {
            throw new IllegalArgumentException("record " + record.getString("id") + " is bad");
        }
        out.emit(record);
    }
}

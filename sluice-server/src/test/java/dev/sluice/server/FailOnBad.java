package dev.sluice.server;

import dev.sluice.transforms.Emitter;
import dev.sluice.transforms.Record;
import dev.sluice.transforms.Transform;

/** Throws on records that have a "bad" field, passes the rest: the transform-failure test's subject. */
public final class FailOnBad implements Transform {
    @Override
    public void apply(Record record, Emitter out) {
        if (record.has("bad")) {
            throw new IllegalArgumentException("record " + record.getString("id") + " is bad");
        }
        out.emit(record);
    }
}

package dev.sluice.server;

import dev.sluice.transforms.Emitter;
import dev.sluice.transforms.Record;
import dev.sluice.transforms.Transform;
import dev.sluice.transforms.TransformContext;

/** Test transform: drops records whose {@code user} is null or missing, tags the others. */
public final class DropAnonymousAndTag implements Transform {
    private String tag;

    @Override
    public void open(TransformContext context) {
        tag = String.valueOf(context.config().get("tag"));
    }

    @Override
    public void apply(Record record, Emitter out) {
        if (record.has("user")) {
            out.emit(record.set("tagged", tag));
        }
    }
}

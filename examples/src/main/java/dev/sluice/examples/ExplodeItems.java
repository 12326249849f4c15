package dev.sluice.examples;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.transforms.Emitter;
import dev.sluice.transforms.Record;
import dev.sluice.transforms.Transform;
import dev.sluice.transforms.TransformContext;

/**
 * Turns one order into one record per item: each output has the order's other fields, the item
 * under {@code as}, and its position under {@code index}. An order without items emits nothing.
 *
 * <pre>{@code
 * - label: explode
 *   class: dev.sluice.examples.ExplodeItems
 *   config: { items: items, as: item }      # the defaults
 * }</pre>
 */
public final class ExplodeItems implements Transform {
    private String items = "items";
    private String as = "item";

    @Override
    public void open(TransformContext context) {
        items = context.configString("items", items);
        as = context.configString("as", as);
    }

    @Override
    public void apply(Record order, Emitter out) {
        JsonNode list = order.get(items);
        if (list == null || !list.isArray()) {
            return;
        }
        Record base = order.copy().remove(items);
        for (int i = 0; i < list.size(); i++) {
            out.emit(base.copy().set(as, list.get(i).deepCopy()).set("index", i));
        }
    }
}

package dev.sluice.examples;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.transforms.Emitter;
import dev.sluice.transforms.Record;
import dev.sluice.transforms.Transform;
import dev.sluice.transforms.TransformContext;
import java.util.Optional;

/**
 * Adds a lookup table's row to each record: the row whose key is the value of {@code key} goes into
 * {@code into}. A record whose key is not in the table passes unchanged, or is dropped with
 * {@code missing: drop}.
 *
 * <pre>{@code
 * - label: enrich
 *   class: dev.sluice.examples.EnrichFromLookup
 *   config: { table: customers, key: customerId, into: customer, missing: keep }
 * }</pre>
 */
public final class EnrichFromLookup implements Transform {
    private TransformContext context;
    private String table;
    private String key;
    private String into;
    private boolean dropMissing;

    @Override
    public void open(TransformContext context) {
        this.context = context;
        this.table = required(context, "table");
        this.key = required(context, "key");
        this.into = context.configString("into", table);
        this.dropMissing = "drop".equals(context.configString("missing", "keep"));
    }

    private static String required(TransformContext context, String name) {
        String value = context.configString(name, null);
        if (value == null) {
            throw new IllegalArgumentException("EnrichFromLookup needs config." + name);
        }
        return value;
    }

    @Override
    public void apply(Record record, Emitter out) {
        Optional<JsonNode> row = context.lookup(table, record.getString(key));
        if (row.isPresent()) {
            out.emit(record.set(into, row.get()));
        } else if (!dropMissing) {
            out.emit(record);
        }
    }
}

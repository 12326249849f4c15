package dev.sluice.transforms;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.Optional;

/**
 * What a {@link Transform} gets from its pipeline: its place, its {@code config}, and lookup tables.
 *
 * <pre>{@code
 * public void open(TransformContext context) {
 *     this.field = (String) context.config().getOrDefault("field", "userAgent");
 * }
 *
 * public void apply(Record order, Emitter out) {
 *     context.lookup("customers", order.getString("customerId"))
 *            .ifPresent(customer -> order.set("customer", customer));
 *     out.emit(order);
 * }
 * }</pre>
 */
public interface TransformContext {

    /** The pipeline's name, e.g. {@code events}. */
    String pipeline();

    /** This step's {@code label} in {@code sluice.yaml}. */
    String label();

    /** This step's {@code config} map in {@code sluice.yaml}; empty when absent. */
    Map<String, Object> config();

    /**
     * The current value of {@code key} in a lookup table declared under {@code tables} in
     * {@code sluice.yaml} (filled by producing to its topic or with {@code PUT /tables/{table}/{key}}),
     * or empty when the table has no such key. Reads a local copy: fast, and eventually consistent
     * with the table's topic.
     *
     * @throws IllegalArgumentException when no table of that name is declared
     */
    Optional<JsonNode> lookup(String table, String key);
}

package dev.sluice.transforms;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a {@link Transform} gets from its pipeline: its place, its {@code config}, and lookup tables.
 *
 * <pre>{@code
 * public void open(TransformContext context) {
 *     this.field = context.configString("field", "userAgent");
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
     * The current value of {@code key} in a lookup table declared under {@code tables:} in
     * {@code sluice.yaml} (filled by producing to its topic or with {@code PUT /tables/{table}/{key}}),
     * or empty when the table has no such key. Reads a local copy: fast, and eventually consistent
     * with the table's topic.
     *
     * @throws IllegalArgumentException when no table of that name is declared
     */
    Optional<JsonNode> lookup(String table, String key);

    /** A string from {@link #config()}, or {@code fallback} when absent. */
    default String configString(String key, String fallback) {
        Object value = config().get(key);
        return value == null ? fallback : value.toString();
    }

    /**
     * A whole number from {@link #config()}, or {@code fallback} when absent.
     *
     * @throws IllegalArgumentException when the value is not a whole number
     */
    default long configLong(String key, long fallback) {
        Object value = config().get(key);
        if (value == null) {
            return fallback;
        }
        if (value instanceof Number n) {
            return n.longValue();
        }
        try {
            return Long.parseLong(value.toString().trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "transform " + label() + ": config " + key + " is not a whole number: " + value);
        }
    }

    /** {@link #configLong} for an int. */
    default int configInt(String key, int fallback) {
        return Math.toIntExact(configLong(key, fallback));
    }

    /**
     * {@code true} or {@code false} from {@link #config()}, or {@code fallback} when absent.
     *
     * @throws IllegalArgumentException when the value is neither
     */
    default boolean configBoolean(String key, boolean fallback) {
        Object value = config().get(key);
        if (value == null) {
            return fallback;
        }
        if (value instanceof Boolean b) {
            return b;
        }
        String text = value.toString().trim();
        if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(text);
        }
        throw new IllegalArgumentException(
                "transform " + label() + ": config " + key + " is not true or false: " + value);
    }

    /**
     * A list of strings from {@link #config()} (a YAML list; a single value is a list of one), or
     * {@code fallback} when absent.
     */
    default List<String> configStrings(String key, List<String> fallback) {
        Object value = config().get(key);
        if (value == null) {
            return fallback;
        }
        if (value instanceof List<?> list) {
            return list.stream().map(String::valueOf).toList();
        }
        return List.of(value.toString());
    }
}

package dev.sluice.workflows;

import java.util.Map;

/**
 * What a {@link Workflow} gets from {@code sluice.yaml} when it is opened.
 *
 * <pre>{@code
 * public void open(WorkflowContext context) {
 *     this.minRows = context.configInt("minRows", 10);
 * }
 * }</pre>
 */
public interface WorkflowContext {

    /** The workflow's {@code name} in {@code sluice.yaml}. */
    String workflow();

    /** Its {@code config} map; empty when absent. */
    Map<String, Object> config();

    /** A string from {@link #config()}, or {@code fallback} when absent. */
    default String configString(String key, String fallback) {
        Object value = config().get(key);
        return value == null ? fallback : value.toString();
    }

    /** A whole number from {@link #config()}, or {@code fallback} when absent. */
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
            throw new IllegalArgumentException("workflow " + workflow() + ": config " + key + " is not a whole number: " + value);
        }
    }

    /** {@link #configLong} for an int. */
    default int configInt(String key, int fallback) {
        return Math.toIntExact(configLong(key, fallback));
    }
}

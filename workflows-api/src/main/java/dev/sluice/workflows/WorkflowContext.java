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

    /**
     * The object store Sluice writes to ({@code storage} in {@code sluice.yaml}, or the embedded one of
     * {@code sluice dev}), so a workflow started by an object notification can read that object.
     */
    default Storage storage() {
        return Storage.NONE;
    }

    /**
     * Where the objects are, for an S3 client of the workflow's own.
     *
     * @param endpoint  e.g. {@code http://127.0.0.1:9000}; null for AWS S3 itself
     * @param region    signing region
     * @param accessKey null to use the default AWS credentials
     * @param secretKey null with {@code accessKey}
     */
    record Storage(String endpoint, String region, String accessKey, String secretKey) {
        public static final Storage NONE = new Storage(null, "us-east-1", null, null);

        @Override
        public String toString() {
            return "Storage[endpoint=" + endpoint + ", region=" + region + "]";
        }
    }

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
            throw new IllegalArgumentException(
                    "workflow " + workflow() + ": config " + key + " is not a whole number: " + value);
        }
    }

    /** {@link #configLong} for an int. */
    default int configInt(String key, int fallback) {
        return Math.toIntExact(configLong(key, fallback));
    }
}

package dev.sluice.config;

/**
 * A configuration problem, reported at start-up with the key that caused it, e.g.
 * {@code pipelines[0].sink.batch.maxBytes: "10 parsecs" is not a size (use 512KB, 10MB, 1GB)}.
 */
public class ConfigException extends RuntimeException {
    private final String key;

    public ConfigException(String key, String problem) {
        super(key.isEmpty() ? problem : key + ": " + problem);
        this.key = key;
    }

    /** The offending key as a path into {@code sluice.yaml}, e.g. {@code pipelines[1].name}. */
    public String key() {
        return key;
    }
}

package dev.sluice.config;

/**
 * Where user transform jars come from.
 *
 * <pre>{@code
 * transforms:
 *   dir: /opt/sluice/transforms     # default: <data-dir>/transforms
 * }</pre>
 *
 * @param dir a folder of jars, each loaded with its own class loader so that two jars' dependencies
 *            cannot clash; null for the default
 */
public record TransformsConfig(String dir) {
    public static final TransformsConfig DEFAULTS = new TransformsConfig(null);
}

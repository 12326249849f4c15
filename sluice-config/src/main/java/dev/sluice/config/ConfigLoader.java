package dev.sluice.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Reads {@code sluice.yaml}: expands {@code ${VAR}} / {@code ${VAR:-default}} from the environment,
 * rejects unknown keys, applies defaults and validates, so that a bad file fails at start with the
 * key that is wrong.
 *
 * <pre>{@code
 * SluiceConfig config = ConfigLoader.load(Path.of("sluice.yaml"));
 * }</pre>
 */
public final class ConfigLoader {
    private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
    private final EnvironmentVariables variables;

    public ConfigLoader(Map<String, String> env) {
        this.variables = new EnvironmentVariables(env);
    }

    /** Loads a file, expanding variables from the process environment. */
    public static SluiceConfig load(Path file) {
        try {
            return new ConfigLoader(System.getenv()).parse(Files.readString(file));
        } catch (IOException e) {
            throw new ConfigException("", "cannot read " + file + ": " + e.getMessage());
        }
    }

    public SluiceConfig parse(String text) {
        JsonNode tree;
        try {
            tree = yaml.readTree(text);
        } catch (JsonProcessingException e) {
            throw new ConfigException("", "not valid YAML: " + e.getOriginalMessage());
        }
        if (tree == null || tree.isMissingNode() || tree.isNull()) {
            throw new ConfigException("pipelines", "the file is empty; declare at least one pipeline");
        }
        if (!tree.isObject()) {
            throw new ConfigException(
                    "",
                    "the top level must be a mapping with keys pipelines, storage, kafka, transforms, tables, workflows, workflowsDir");
        }
        variables.expand(tree, "");
        SluiceConfig config;
        try {
            config = yaml.treeToValue(tree, SluiceConfig.class);
        } catch (UnrecognizedPropertyException e) {
            throw new ConfigException(path(e), "unknown key; the keys allowed here are " + e.getKnownPropertyIds());
        } catch (JsonMappingException e) {
            throw new ConfigException(path(e), e.getOriginalMessage());
        } catch (IOException e) {
            throw new ConfigException("", e.getMessage());
        }
        // Each rule sits with the record whose defaults it checks.
        config.validate();
        return config;
    }

    private static String path(JsonMappingException e) {
        StringBuilder out = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (out.length() > 0) {
                    out.append('.');
                }
                out.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                out.append('[').append(ref.getIndex()).append(']');
            }
        }
        return out.toString();
    }
}

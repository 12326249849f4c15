package dev.sluice.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Expands {@code ${VAR}} and {@code ${VAR:-default}} in every string of a parsed {@code sluice.yaml},
 * before it is bound to the config records: any value can come from the environment.
 */
final class EnvironmentVariables {
    private static final Pattern REFERENCE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");

    private final Map<String, String> env;

    EnvironmentVariables(Map<String, String> env) {
        this.env = env;
    }

    /** Replaces references in place; {@code path} is the key of {@code node}, for errors. */
    void expand(JsonNode node, String path) {
        if (node.isObject()) {
            ObjectNode object = (ObjectNode) node;
            for (Map.Entry<String, JsonNode> field : object.properties()) {
                String childPath = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
                if (field.getValue().isTextual()) {
                    field.setValue(new TextNode(expand(field.getValue().asText(), childPath)));
                } else {
                    expand(field.getValue(), childPath);
                }
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                JsonNode element = node.get(i);
                String childPath = path + "[" + i + "]";
                if (element.isTextual()) {
                    ((ArrayNode) node).set(i, new TextNode(expand(element.asText(), childPath)));
                } else {
                    expand(element, childPath);
                }
            }
        }
    }

    private String expand(String value, String path) {
        Matcher m = REFERENCE.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String replacement = env.get(m.group(1));
            if (replacement == null) {
                replacement = m.group(2);
            }
            if (replacement == null) {
                throw new ConfigException(
                        path,
                        "environment variable " + m.group(1) + " is not set (write ${" + m.group(1)
                                + ":-default} to give a default)");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }
}

package dev.sluice.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;

/**
 * A pipeline's {@code partitionKey} ({@code $.merchantId}, {@code $.customer.id}): the value at that
 * path becomes the Kafka key, so all records with one value land in one partition, in order. A
 * string is used as its text; any other value as its JSON. A record without the field gets no key
 * and is spread like any unkeyed record.
 */
public final class PartitionKey {
    private final String[] path;

    private PartitionKey(String[] path) {
        this.path = path;
    }

    /** Parses a path already validated by the config loader ({@code $.a.b}). */
    public static PartitionKey of(String jsonPath) {
        return new PartitionKey(jsonPath.substring(2).split("\\."));
    }

    /** The key of a record: the value at the path, or null when it has none. */
    public byte[] keyOf(ObjectNode record) {
        JsonNode node = record;
        for (String field : path) {
            node = node.get(field);
            if (node == null || node.isNull()) {
                return null;
            }
        }
        String text = node.isTextual() ? node.asText() : node.toString();
        return text.getBytes(StandardCharsets.UTF_8);
    }
}

package dev.sluice.config;

import dev.sluice.wire.Topics;

/**
 * A lookup table transforms read with {@code context.lookup(table, key)}: a compacted Kafka topic
 * {@code sluice.table.{name}} whose records are key → JSON value, filled by producing to it or with
 * {@code PUT /tables/{name}/{key}} on the ingest server.
 *
 * <pre>{@code
 * tables:
 *   - name: customers
 *     http: { auth: { tokens: ["${TABLES_TOKEN}"] } }   # who may PUT and DELETE; none → open
 * }</pre>
 *
 * @param name       the table's name (letters, digits, '_' and '-')
 * @param partitions partitions of its topic (default 1; every processor reads all of them)
 * @param http       bearer tokens for the HTTP API; absent or empty → open, as for pipelines
 */
public record TableConfig(String name, Integer partitions, HttpConfig http) {
    public TableConfig {
        partitions = partitions == null ? 1 : partitions;
        http = http == null ? HttpConfig.DEFAULTS : http;
    }

    /** The table's compacted topic. */
    public String topic() {
        return Topics.table(name);
    }

    void validate(String at) {
        if (name == null || !PipelineConfig.NAME.matcher(name).matches()) {
            throw new ConfigException(
                    at + ".name", "'" + name + "' is not a table name (letters, digits, '_' and '-')");
        }
        if (partitions < 1 || partitions > 10_000) {
            throw new ConfigException(at + ".partitions", "must be between 1 and 10000, was " + partitions);
        }
        http.auth().validate(at + ".http.auth");
    }
}

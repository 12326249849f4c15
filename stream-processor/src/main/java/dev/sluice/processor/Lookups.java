package dev.sluice.processor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.config.TableConfig;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * Lookup tables for transforms: each declared table's compacted topic {@code sluice.table.{name}} is a
 * Kafka Streams global store (every processor instance holds all of it, in memory, restored from the
 * topic at start and kept current by the global thread). {@code context.lookup(table, key)} reads it.
 */
final class Lookups {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, KeyValueStore<String, byte[]>> stores = new HashMap<>();

    static String storeName(TableConfig table) {
        return "table-" + table.name();
    }

    /** Adds a global store per table to the topology. */
    static void addTo(Topology topology, List<TableConfig> tables) {
        for (TableConfig table : tables) {
            String store = storeName(table);
            topology.addGlobalStore(
                    Stores.keyValueStoreBuilder(
                                    Stores.inMemoryKeyValueStore(store), Serdes.String(), Serdes.ByteArray())
                            .withLoggingDisabled(),
                    "table-source-" + table.name(),
                    new StringDeserializer(),
                    new ByteArrayDeserializer(),
                    table.topic(),
                    "table-updater-" + table.name(),
                    () -> new Updater(store));
        }
    }

    /** The stores, as a processor of the topology sees them. */
    static Lookups from(ProcessorContext<?, ?> context, List<TableConfig> tables) {
        Lookups lookups = new Lookups();
        for (TableConfig table : tables) {
            lookups.stores.put(table.name(), context.getStateStore(storeName(table)));
        }
        return lookups;
    }

    Optional<JsonNode> lookup(String table, String key) {
        KeyValueStore<String, byte[]> store = stores.get(table);
        if (store == null) {
            throw new IllegalArgumentException("no lookup table '" + table + "'; tables are declared under tables: in "
                    + "sluice.yaml" + (stores.isEmpty() ? " (none is)" : " (these are: " + stores.keySet() + ")"));
        }
        if (key == null) {
            return Optional.empty();
        }
        byte[] value = store.get(key);
        if (value == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readTree(value));
        } catch (IOException e) {
            throw new IllegalStateException(
                    "table '" + table + "', key '" + key + "' does not hold JSON: " + e.getMessage(), e);
        }
    }

    /** Applies a table topic's records to its store: a value replaces the key's, a tombstone removes it. */
    private static final class Updater implements Processor<String, byte[], Void, Void> {
        private final String storeName;
        private KeyValueStore<String, byte[]> store;

        Updater(String storeName) {
            this.storeName = storeName;
        }

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            store = context.getStateStore(storeName);
        }

        @Override
        public void process(Record<String, byte[]> record) {
            if (record.key() == null) {
                return;
            }
            if (record.value() == null) {
                store.delete(record.key());
            } else {
                store.put(record.key(), record.value());
            }
        }
    }
}

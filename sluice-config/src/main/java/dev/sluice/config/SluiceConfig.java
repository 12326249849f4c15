package dev.sluice.config;

import java.util.List;
import java.util.Optional;

/**
 * Everything in {@code sluice.yaml}. Load it with {@link ConfigLoader}.
 *
 * @param pipelines the pipelines this deployment runs
 * @param storage   the object store, or null for the embedded one ({@code sluice dev})
 * @param kafka     the Kafka cluster, or null for the embedded broker ({@code sluice dev})
 * @param transforms where transform jars come from
 * @param tables    lookup tables for transforms
 */
public record SluiceConfig(List<PipelineConfig> pipelines, StorageConfig storage, KafkaConfig kafka,
                           TransformsConfig transforms, List<TableConfig> tables) {

    public SluiceConfig {
        pipelines = pipelines == null ? List.of() : List.copyOf(pipelines);
        transforms = transforms == null ? TransformsConfig.DEFAULTS : transforms;
        tables = tables == null ? List.of() : List.copyOf(tables);
    }

    public Optional<TableConfig> table(String name) {
        return tables.stream().filter(t -> t.name().equals(name)).findFirst();
    }

    public Optional<PipelineConfig> pipeline(String name) {
        return pipelines.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    public SluiceConfig withStorage(StorageConfig newStorage) {
        return new SluiceConfig(pipelines, newStorage, kafka, transforms, tables);
    }

    public SluiceConfig withKafka(KafkaConfig newKafka) {
        return new SluiceConfig(pipelines, storage, newKafka, transforms, tables);
    }
}

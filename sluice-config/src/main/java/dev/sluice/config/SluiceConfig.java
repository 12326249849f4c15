package dev.sluice.config;

import java.util.List;
import java.util.Optional;

/**
 * Everything in {@code sluice.yaml}. Load it with {@link ConfigLoader}.
 *
 * @param pipelines the pipelines this deployment runs
 * @param storage   the object store, or null for the embedded one ({@code sluice dev})
 * @param kafka     the Kafka cluster, or null for the embedded broker ({@code sluice dev})
 */
public record SluiceConfig(List<PipelineConfig> pipelines, StorageConfig storage, KafkaConfig kafka) {

    public SluiceConfig {
        pipelines = pipelines == null ? List.of() : List.copyOf(pipelines);
    }

    public Optional<PipelineConfig> pipeline(String name) {
        return pipelines.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    public SluiceConfig withStorage(StorageConfig newStorage) {
        return new SluiceConfig(pipelines, newStorage, kafka);
    }

    public SluiceConfig withKafka(KafkaConfig newKafka) {
        return new SluiceConfig(pipelines, storage, newKafka);
    }
}

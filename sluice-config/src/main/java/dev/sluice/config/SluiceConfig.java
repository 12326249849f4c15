package dev.sluice.config;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Everything in {@code sluice.yaml}. Load it with {@link ConfigLoader}.
 *
 * @param pipelines the pipelines this deployment runs
 * @param storage   the object store, or null for the embedded one ({@code sluice dev})
 * @param kafka     the Kafka cluster, or null for the embedded broker ({@code sluice dev})
 * @param transforms where transform jars come from
 * @param tables    lookup tables for transforms
 * @param workflows durable workflows
 * @param workflowsDir where workflow jars come from (default {@code <data-dir>/workflows})
 * @param admin     bearer tokens of the operator API ({@code /api/v1}); none means it is open
 */
public record SluiceConfig(
        List<PipelineConfig> pipelines,
        StorageConfig storage,
        KafkaConfig kafka,
        TransformsConfig transforms,
        List<TableConfig> tables,
        List<WorkflowConfig> workflows,
        String workflowsDir,
        HttpConfig.Auth admin) {

    public SluiceConfig {
        admin = admin == null ? new HttpConfig.Auth(null) : admin;
        pipelines = pipelines == null ? List.of() : List.copyOf(pipelines);
        transforms = transforms == null ? TransformsConfig.DEFAULTS : transforms;
        tables = tables == null ? List.of() : List.copyOf(tables);
        workflows = workflows == null ? List.of() : List.copyOf(workflows);
    }

    public SluiceConfig(
            List<PipelineConfig> pipelines,
            StorageConfig storage,
            KafkaConfig kafka,
            TransformsConfig transforms,
            List<TableConfig> tables) {
        this(pipelines, storage, kafka, transforms, tables, null, null, null);
    }

    /** Checks every value against its rule, naming the key of the first that breaks one. */
    void validate() {
        if (pipelines.isEmpty()) {
            throw new ConfigException("pipelines", "declare at least one pipeline");
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < pipelines.size(); i++) {
            String at = "pipelines[" + i + "]";
            PipelineConfig pipeline = pipelines.get(i);
            if (pipeline == null) {
                throw new ConfigException(at, "is empty");
            }
            pipeline.validate(at);
            if (!names.add(pipeline.name())) {
                throw new ConfigException(at + ".name", "pipeline '" + pipeline.name() + "' is declared twice");
            }
        }
        names.clear();
        for (int i = 0; i < tables.size(); i++) {
            String at = "tables[" + i + "]";
            TableConfig table = tables.get(i);
            if (table == null) {
                throw new ConfigException(at + ".name", "'null' is not a table name (letters, digits, '_' and '-')");
            }
            table.validate(at);
            if (!names.add(table.name())) {
                throw new ConfigException(at + ".name", "table '" + table.name() + "' is declared twice");
            }
        }
        names.clear();
        for (int i = 0; i < workflows.size(); i++) {
            String at = "workflows[" + i + "]";
            WorkflowConfig workflow = workflows.get(i);
            if (workflow == null) {
                throw new ConfigException(at, "is empty");
            }
            workflow.validate(at, pipelines);
            if (!names.add(workflow.name())) {
                throw new ConfigException(at + ".name", "workflow '" + workflow.name() + "' is declared twice");
            }
        }
        admin.validate("admin");
        if (storage != null) {
            storage.validate("storage");
        }
        if (kafka != null) {
            kafka.validate();
        }
    }

    public Optional<WorkflowConfig> workflow(String name) {
        return workflows.stream().filter(w -> w.name().equals(name)).findFirst();
    }

    public SluiceConfig withWorkflows(List<WorkflowConfig> newWorkflows) {
        return new SluiceConfig(pipelines, storage, kafka, transforms, tables, newWorkflows, workflowsDir, admin);
    }

    public Optional<TableConfig> table(String name) {
        return tables.stream().filter(t -> t.name().equals(name)).findFirst();
    }

    public Optional<PipelineConfig> pipeline(String name) {
        return pipelines.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    public SluiceConfig withStorage(StorageConfig newStorage) {
        return new SluiceConfig(pipelines, newStorage, kafka, transforms, tables, workflows, workflowsDir, admin);
    }

    public SluiceConfig withKafka(KafkaConfig newKafka) {
        return new SluiceConfig(pipelines, storage, newKafka, transforms, tables, workflows, workflowsDir, admin);
    }
}

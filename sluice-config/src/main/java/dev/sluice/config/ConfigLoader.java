package dev.sluice.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
    private static final Pattern ENV_REF = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");
    private static final Pattern PIPELINE_NAME = Pattern.compile("[A-Za-z0-9_-]{1,200}");
    private static final Pattern BUCKET_NAME = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    private static final Pattern PARTITION_KEY = Pattern.compile("\\$(\\.[A-Za-z_][A-Za-z0-9_-]*)+");
    private static final Pattern ORIGIN = Pattern.compile("https?://[^/\\s]+");

    /** Keys of the configuration contract (ARCHITECTURE.md) that this version does not implement yet. */
    private static final Map<String, List<String>> NOT_YET = Map.of(
            "pipeline", List.of(),
            "transform", List.of(),
            "sink", List.of());

    private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
    private final Map<String, String> env;

    public ConfigLoader(Map<String, String> env) {
        this.env = env;
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
            throw new ConfigException("", "the top level must be a mapping with keys pipelines, storage, kafka, transforms, tables, workflows, workflowsDir");
        }
        expandVariables(tree, "");
        rejectNotYetImplemented(tree);
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
        validate(config);
        return config;
    }

    private void expandVariables(JsonNode node, String path) {
        if (node.isObject()) {
            ObjectNode object = (ObjectNode) node;
            for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                String childPath = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
                if (field.getValue().isTextual()) {
                    field.setValue(new TextNode(expand(field.getValue().asText(), childPath)));
                } else {
                    expandVariables(field.getValue(), childPath);
                }
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                JsonNode element = node.get(i);
                String childPath = path + "[" + i + "]";
                if (element.isTextual()) {
                    ((ArrayNode) node).set(i, new TextNode(expand(element.asText(), childPath)));
                } else {
                    expandVariables(element, childPath);
                }
            }
        }
    }

    private String expand(String value, String path) {
        Matcher m = ENV_REF.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String replacement = env.get(m.group(1));
            if (replacement == null) {
                replacement = m.group(2);
            }
            if (replacement == null) {
                throw new ConfigException(path, "environment variable " + m.group(1)
                        + " is not set (write ${" + m.group(1) + ":-default} to give a default)");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static void rejectNotYetImplemented(JsonNode root) {
        JsonNode pipelines = root.path("pipelines");
        for (int i = 0; i < pipelines.size(); i++) {
            JsonNode pipeline = pipelines.get(i);
            String at = "pipelines[" + i + "]";
            rejectPresent(pipeline, at, NOT_YET.get("pipeline"));
            JsonNode transforms = pipeline.path("transforms");
            for (int t = 0; t < transforms.size(); t++) {
                rejectPresent(transforms.get(t), at + ".transforms[" + t + "]", NOT_YET.get("transform"));
            }
            JsonNode sink = pipeline.path("sink");
            rejectPresent(sink, at + ".sink", NOT_YET.get("sink"));
        }
    }

    private static void rejectPresent(JsonNode node, String at, List<String> keys) {
        for (String key : keys) {
            if (node.has(key)) {
                throw new ConfigException(at + "." + key, "is part of the configuration contract but not supported by this version yet");
            }
        }
    }

    private static void validate(SluiceConfig config) {
        if (config.pipelines().isEmpty()) {
            throw new ConfigException("pipelines", "declare at least one pipeline");
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < config.pipelines().size(); i++) {
            PipelineConfig p = config.pipelines().get(i);
            String at = "pipelines[" + i + "]";
            if (p == null) {
                throw new ConfigException(at, "is empty");
            }
            if (p.name() == null || !PIPELINE_NAME.matcher(p.name()).matches()) {
                throw new ConfigException(at + ".name", "'" + p.name()
                        + "' is not a pipeline name (letters, digits, '_' and '-'; it becomes a topic and a URL segment)");
            }
            if (!names.add(p.name())) {
                throw new ConfigException(at + ".name", "pipeline '" + p.name() + "' is declared twice");
            }
            if (p.partitions() < 1 || p.partitions() > 10_000) {
                throw new ConfigException(at + ".partitions", "must be between 1 and 10000, was " + p.partitions());
            }
            if (p.partitionKey() != null && !PARTITION_KEY.matcher(p.partitionKey()).matches()) {
                throw new ConfigException(at + ".partitionKey", "'" + p.partitionKey()
                        + "' is not a JSON path to a field (write e.g. $.merchantId or $.customer.id)");
            }
            validateHttp(p.http(), at + ".http");
            validateSchema(p.schema(), at + ".schema");
            if (p.backpressure().maxBacklogRecords() <= 0) {
                throw new ConfigException(at + ".backpressure.maxBacklogRecords", "must be positive");
            }
            if (p.backpressure().maxBacklogBytes() <= 0) {
                throw new ConfigException(at + ".backpressure.maxBacklogBytes", "must be positive");
            }
            validateTransforms(p, at);
            validateSink(p.sink(), at + ".sink");
            if (p.sink().format() == SinkConfig.Format.PARQUET && (p.schema() == null || !p.schema().infer() && p.schema().fields().isEmpty())) {
                throw new ConfigException(at + ".schema", "a parquet sink needs a schema: declare fields, or write schema: infer");
            }
        }
        validateTables(config);
        validateWorkflows(config);
        StorageConfig storage = config.storage();
        if (storage != null && (storage.accessKey() == null) != (storage.secretKey() == null)) {
            throw new ConfigException("storage", "set both accessKey and secretKey, or neither (to use the default AWS credentials)");
        }
        if (config.kafka() != null && (config.kafka().bootstrapServers() == null || config.kafka().bootstrapServers().isBlank())) {
            throw new ConfigException("kafka.bootstrapServers", "is required when kafka is configured");
        }
    }

    private static void validateTables(SluiceConfig config) {
        Set<String> names = new HashSet<>();
        for (int i = 0; i < config.tables().size(); i++) {
            TableConfig table = config.tables().get(i);
            String at = "tables[" + i + "]";
            if (table == null || table.name() == null || !PIPELINE_NAME.matcher(table.name()).matches()) {
                throw new ConfigException(at + ".name", "'" + (table == null ? null : table.name())
                        + "' is not a table name (letters, digits, '_' and '-')");
            }
            if (!names.add(table.name())) {
                throw new ConfigException(at + ".name", "table '" + table.name() + "' is declared twice");
            }
            if (table.partitions() < 1 || table.partitions() > 10_000) {
                throw new ConfigException(at + ".partitions", "must be between 1 and 10000, was " + table.partitions());
            }
            List<String> tokens = table.http().auth().tokens();
            for (int t = 0; t < tokens.size(); t++) {
                if (tokens.get(t) == null || tokens.get(t).isBlank()) {
                    throw new ConfigException(at + ".http.auth.tokens[" + t + "]", "is empty (is its environment variable set?)");
                }
            }
        }
    }

    private static final Pattern WORKFLOW_NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private static void validateWorkflows(SluiceConfig config) {
        Set<String> names = new HashSet<>();
        for (int i = 0; i < config.workflows().size(); i++) {
            WorkflowConfig workflow = config.workflows().get(i);
            String at = "workflows[" + i + "]";
            if (workflow == null) {
                throw new ConfigException(at, "is empty");
            }
            if (workflow.name() == null || !WORKFLOW_NAME.matcher(workflow.name()).matches()) {
                throw new ConfigException(at + ".name", "'" + workflow.name()
                        + "' is not a workflow name (letters, digits, '_' and '-', at most 64; it becomes a URL segment)");
            }
            if (!names.add(workflow.name())) {
                throw new ConfigException(at + ".name", "workflow '" + workflow.name() + "' is declared twice");
            }
            if (workflow.className() == null || workflow.className().isBlank()) {
                throw new ConfigException(at + ".class", "is required");
            }
            requireJarName(workflow.jar(), at + ".jar", "workflowsDir", "acme-workflows.jar");
            WorkflowConfig.Notifications notifications = workflow.trigger().notifications();
            if (notifications != null && (notifications.pipeline() == null || config.pipeline(notifications.pipeline()).isEmpty())) {
                throw new ConfigException(at + ".trigger.notifications.pipeline", "'" + notifications.pipeline()
                        + "' is not a pipeline of this file; declared: " + config.pipelines().stream().map(PipelineConfig::name).toList());
            }
            if (workflow.trigger().schedule() != null && workflow.trigger().schedule().isBlank()) {
                throw new ConfigException(at + ".trigger.schedule", "is empty; write a cron expression such as \"0 * * * *\"");
            }
            if (workflow.retention().isZero() || workflow.retention().isNegative()) {
                throw new ConfigException(at + ".retention", "must be positive");
            }
            validateHttp(workflow.http(), at + ".http");
        }
    }

    private static void validateHttp(HttpConfig http, String at) {
        List<String> tokens = http.auth().tokens();
        for (int i = 0; i < tokens.size(); i++) {
            if (tokens.get(i) == null || tokens.get(i).isBlank()) {
                throw new ConfigException(at + ".auth.tokens[" + i + "]", "is empty (is its environment variable set?)");
            }
        }
        if (http.cors() != null) {
            List<String> origins = http.cors().origins();
            for (int i = 0; i < origins.size(); i++) {
                String origin = origins.get(i);
                if (origin == null || !(origin.equals("*") || ORIGIN.matcher(origin).matches())) {
                    throw new ConfigException(at + ".cors.origins[" + i + "]", "'" + origin
                            + "' is not an origin (write e.g. https://app.example.com, no path, or *)");
                }
            }
        }
        if (http.maxRequestBytes() <= 0) {
            throw new ConfigException(at + ".maxRequestBytes", "must be positive");
        }
        if (http.maxRecordBytes() <= 0 || http.maxRecordBytes() > http.maxRequestBytes()) {
            throw new ConfigException(at + ".maxRecordBytes", "must be positive and at most maxRequestBytes");
        }
    }

    private static void validateSchema(SchemaConfig schema, String at) {
        if (schema != null) {
            validateFields(schema.fields(), at);
        }
    }

    private static void validateFields(List<SchemaConfig.Field> fields, String at) {
        Set<String> names = new HashSet<>();
        for (int i = 0; i < fields.size(); i++) {
            SchemaConfig.Field field = fields.get(i);
            String fat = at + ".fields[" + i + "]";
            if (field.name() == null || field.name().isEmpty()) {
                throw new ConfigException(fat + ".name", "is required");
            }
            if (!names.add(field.name())) {
                throw new ConfigException(fat + ".name", "field '" + field.name() + "' is declared twice");
            }
            if (field.type() == null) {
                throw new ConfigException(fat + ".type", "is required");
            }
            if (field.type() == SchemaConfig.Type.STRUCT) {
                if (field.fields().isEmpty()) {
                    throw new ConfigException(fat + ".fields", "a struct needs its fields");
                }
                validateFields(field.fields(), fat);
            } else if (!field.fields().isEmpty()) {
                throw new ConfigException(fat + ".fields", "only a struct has fields; this field is " + field.type().yamlName());
            }
        }
    }

    private static void validateTransforms(PipelineConfig p, String at) {
        Set<String> labels = new HashSet<>();
        for (int t = 0; t < p.transforms().size(); t++) {
            TransformConfig transform = p.transforms().get(t);
            String tat = at + ".transforms[" + t + "]";
            if (transform.label() == null || transform.label().isBlank()) {
                throw new ConfigException(tat + ".label", "is required");
            }
            if (!labels.add(transform.label())) {
                throw new ConfigException(tat + ".label", "label '" + transform.label() + "' is used twice in pipeline " + p.name());
            }
            if (transform.className() == null || transform.className().isBlank()) {
                throw new ConfigException(tat + ".class", "is required");
            }
            requireJarName(transform.jar(), tat + ".jar", "transforms.dir", "acme-transforms.jar");
        }
    }

    /** A jar named in the config is a plain file name of its folder, or absent. */
    private static void requireJarName(String jar, String key, String dirKey, String example) {
        if (jar != null && (jar.isBlank() || jar.contains("/") || jar.contains("\\") || !jar.endsWith(".jar"))) {
            throw new ConfigException(key, "'" + jar + "' is not a jar file name in " + dirKey + " (write e.g. " + example + ")");
        }
    }

    private static final Pattern FIELD_NAME = Pattern.compile("[^\\s/=]+");
    private static final Pattern TIME_PATTERN_TEXT = Pattern.compile("[A-Za-z0-9_=/.-]*");

    private static void validateSink(SinkConfig sink, String at) {
        if (sink.timestampField() != null && !FIELD_NAME.matcher(sink.timestampField()).matches()) {
            throw new ConfigException(at + ".timestampField", "'" + sink.timestampField() + "' is not a top-level field name");
        }
        for (int i = 0; i < sink.partitionBy().size(); i++) {
            String field = sink.partitionBy().get(i);
            if (field == null || !FIELD_NAME.matcher(field).matches()) {
                throw new ConfigException(at + ".partitionBy[" + i + "]", "'" + field + "' is not a top-level field name");
            }
        }
        if (sink.multipartPartSize() < (5L << 20) || sink.multipartPartSize() > (5L << 30)) {
            throw new ConfigException(at + ".multipartPartSize", "must be between 5MB and 5GB (S3's limits), was "
                    + sink.multipartPartSize());
        }
        boolean ndjson = sink.format() == SinkConfig.Format.NDJSON;
        if (ndjson && sink.compression() != SinkConfig.Compression.GZIP && sink.compression() != SinkConfig.Compression.NONE) {
            throw new ConfigException(at + ".compression", "ndjson is written with gzip or none, not " + sink.compression().yamlName());
        }
        int level = sink.compressionLevel();
        switch (sink.compression()) {
            case GZIP -> {
                if (level < 1 || level > 9) {
                    throw new ConfigException(at + ".compressionLevel", "gzip levels are 1 (fastest) to 9 (smallest), was " + level);
                }
            }
            case ZSTD -> {
                if (level < 1 || level > 22) {
                    throw new ConfigException(at + ".compressionLevel", "zstd levels are 1 to 22, was " + level);
                }
            }
            default -> {
                if (level != 0) {
                    throw new ConfigException(at + ".compressionLevel", sink.compression().yamlName() + " has no levels");
                }
            }
        }
        if (sink.maxOpenBatches() < 1) {
            throw new ConfigException(at + ".maxOpenBatches", "must be at least 1");
        }
        if (sink.maxConcurrentUploads() < 1 || sink.maxConcurrentUploads() > 64) {
            throw new ConfigException(at + ".maxConcurrentUploads", "must be between 1 and 64");
        }
        if (sink.rowGroupSize() < (1L << 20)) {
            throw new ConfigException(at + ".rowGroupSize", "must be at least 1MB");
        }
        if (sink.multipartThreshold() <= 0) {
            throw new ConfigException(at + ".multipartThreshold", "must be positive");
        }
        String pattern = sink.timePartition();
        String literal = pattern.replaceAll("%[YmdHM%]", "");
        if (literal.contains("%") || !TIME_PATTERN_TEXT.matcher(literal).matches() || pattern.startsWith("/") || pattern.endsWith("/")) {
            throw new ConfigException(at + ".timePartition", "'" + pattern + "' is not a time partition pattern: use %Y %m %d %H %M"
                    + " between letters, digits, '_', '=', '-', '.' and '/', e.g. " + SinkConfig.DEFAULT_TIME_PARTITION);
        }
        if (!BUCKET_NAME.matcher(sink.bucket()).matches()) {
            throw new ConfigException(at + ".bucket", "'" + sink.bucket() + "' is not a valid bucket name");
        }
        if (sink.prefix().startsWith("/") || sink.prefix().endsWith("/")) {
            throw new ConfigException(at + ".prefix", "must not start or end with '/', was '" + sink.prefix() + "'");
        }
        BatchConfig batch = sink.batch();
        if (batch.maxBytes() <= 0) {
            throw new ConfigException(at + ".batch.maxBytes", "must be positive");
        }
        if (batch.maxRecords() <= 0) {
            throw new ConfigException(at + ".batch.maxRecords", "must be positive");
        }
        if (batch.maxDuration().isZero() || batch.maxDuration().isNegative()) {
            throw new ConfigException(at + ".batch.maxDuration", "must be positive");
        }
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

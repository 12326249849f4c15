package dev.sluice.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.wire.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {
    private final ConfigLoader loader = new ConfigLoader(Map.of("EVENTS_BUCKET", "lake"));

    @Test
    void appliesDefaults() {
        SluiceConfig config = loader.parse("pipelines:\n  - name: events\n");
        PipelineConfig p = config.pipeline("events").orElseThrow();
        assertEquals(4, p.partitions());
        assertEquals("sluice", p.sink().bucket());
        assertEquals("events", p.sink().prefix());
        assertEquals(SinkConfig.Format.NDJSON, p.sink().format());
        assertEquals(SinkConfig.Compression.GZIP, p.sink().compression());
        assertEquals(100L << 20, p.sink().batch().maxBytes());
        assertEquals(100_000L, p.sink().batch().maxRecords());
        assertEquals(Duration.ofMinutes(5), p.sink().batch().maxDuration());
        assertEquals(Topics.output("events"), p.outputTopic());
        assertTrue(p.http().auth().isOpen());
        assertEquals(5L << 20, p.http().maxRequestBytes());
        assertEquals(1L << 20, p.http().maxRecordBytes());
        assertEquals(10_000_000L, p.backpressure().maxBacklogRecords());
        assertTrue(config.admin().isOpen());
    }

    @Test
    void readsContractKeysAndExpandsEnvironment() {
        SluiceConfig config = loader.parse("""
                pipelines:
                  - name: orders
                    partitions: 2
                    partitionKey: $.user.id
                    http:
                      auth: { tokens: ["${TOKEN:-secret}"] }
                      cors: { origins: ["https://app.example.com", "*"] }
                      maxRecordBytes: 64KB
                    schema:
                      fields:
                        - { name: id, type: string, required: true }
                        - { name: ts, type: timestamp }
                    backpressure: { maxBacklogRecords: 500 }
                    transforms:
                      - label: tag
                        class: com.example.Tag
                        config: { field: user }
                    sink:
                      bucket: ${EVENTS_BUCKET}
                      prefix: ${PREFIX:-raw/orders}
                      compression: none
                      batch: { maxBytes: 512KB, maxRecords: 10, maxDuration: 5m }
                kafka:
                  bootstrapServers: 127.0.0.1:9092
                  properties: { security.protocol: SASL_PLAINTEXT }
                storage:
                  endpoint: http://127.0.0.1:9000
                  accessKey: a
                  secretKey: b
                """);
        PipelineConfig p = config.pipelines().get(0);
        assertEquals(2, p.partitions());
        assertEquals("lake", p.sink().bucket());
        assertEquals("raw/orders", p.sink().prefix());
        assertEquals(SinkConfig.Compression.NONE, p.sink().compression());
        assertEquals(512L * 1024, p.sink().batch().maxBytes());
        assertEquals(Duration.ofMinutes(5), p.sink().batch().maxDuration());
        assertEquals("com.example.Tag", p.transforms().get(0).className());
        assertEquals(Map.of("field", "user"), p.transforms().get(0).config());
        assertEquals("$.user.id", p.partitionKey());
        assertEquals(List.of("secret"), p.http().auth().tokens());
        assertEquals(List.of("https://app.example.com", "*"), p.http().cors().origins());
        assertEquals(64L * 1024, p.http().maxRecordBytes());
        assertEquals(
                new SchemaConfig.Field("id", SchemaConfig.Type.STRING, true),
                p.schema().fields().get(0));
        assertEquals(
                new SchemaConfig.Field("ts", SchemaConfig.Type.TIMESTAMP, false),
                p.schema().fields().get(1));
        assertEquals(500L, p.backpressure().maxBacklogRecords());
        assertEquals(
                Map.of("security.protocol", "SASL_PLAINTEXT"), config.kafka().properties());
        assertEquals("us-east-1", config.storage().region());
        assertEquals("127.0.0.1:9092", config.kafka().bootstrapServers());
    }

    @Test
    void unknownKeyIsNamed() {
        ConfigException e = assertThrows(
                ConfigException.class, () -> loader.parse("pipelines:\n  - name: events\n    sink: { bukket: x }\n"));
        assertEquals("pipelines[0].sink.bukket", e.key());
        assertTrue(e.getMessage().contains("bucket"), e.getMessage());
    }

    @Test
    void badSizeIsNamed() {
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> loader.parse("pipelines:\n  - name: events\n    sink: { batch: { maxBytes: lots } }\n"));
        assertEquals("pipelines[0].sink.batch.maxBytes", e.key());
    }

    @Test
    void missingVariableIsNamed() {
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> loader.parse("pipelines:\n  - name: events\n    sink: { bucket: '${NOPE}' }\n"));
        assertEquals("pipelines[0].sink.bucket", e.key());
        assertTrue(e.getMessage().contains("NOPE"), e.getMessage());
    }

    @Test
    void readsTransformPoliciesJarsAndLookupTables() {
        SluiceConfig config = loader.parse("""
                pipelines:
                  - name: a
                    transforms:
                      - { label: x, class: com.acme.X, jar: acme.jar, onError: skip }
                      - { label: y, class: com.acme.Y }
                transforms: { dir: /opt/sluice/transforms }
                tables:
                  - name: customers
                    http: { auth: { tokens: [t1] } }
                  - { name: prices, partitions: 3 }
                """);
        TransformConfig x = config.pipelines().get(0).transforms().get(0);
        assertEquals(TransformConfig.OnError.SKIP, x.onError());
        assertEquals("acme.jar", x.jar());
        assertEquals(
                TransformConfig.OnError.DLQ,
                config.pipelines().get(0).transforms().get(1).onError());
        assertEquals("/opt/sluice/transforms", config.transforms().dir());
        assertEquals(
                Topics.table("customers"),
                config.table("customers").orElseThrow().topic());
        assertEquals(1, config.table("customers").orElseThrow().partitions());
        assertEquals(
                List.of("t1"),
                config.table("customers").orElseThrow().http().auth().tokens());
        assertEquals(3, config.table("prices").orElseThrow().partitions());
        assertEquals(null, loader.parse("pipelines: [{name: a}]").transforms().dir());

        assertEquals(
                "pipelines[0].transforms[0].onError",
                assertThrows(
                                ConfigException.class,
                                () -> loader.parse(
                                        "pipelines: [{name: a, transforms: [{label: x, class: X, onError: retry}]}]"))
                        .key());
        assertEquals(
                "pipelines[0].transforms[0].jar",
                assertThrows(
                                ConfigException.class,
                                () -> loader.parse(
                                        "pipelines: [{name: a, transforms: [{label: x, class: X, jar: ../x.jar}]}]"))
                        .key());
        assertEquals(
                "tables[1].name",
                assertThrows(
                                ConfigException.class,
                                () -> loader.parse("pipelines: [{name: a}]\ntables: [{name: t}, {name: t}]"))
                        .key());
        assertEquals(
                "tables[0].name",
                assertThrows(
                                ConfigException.class,
                                () -> loader.parse("pipelines: [{name: a}]\ntables: [{name: 'a b'}]"))
                        .key());
    }

    @Test
    void validatesNamesAndLimits() {
        assertEquals(
                "pipelines[1].name",
                assertThrows(ConfigException.class, () -> loader.parse("pipelines: [{name: a}, {name: a}]"))
                        .key());
        assertEquals(
                "pipelines[0].name",
                assertThrows(ConfigException.class, () -> loader.parse("pipelines: [{name: 'a.b'}]"))
                        .key());
        assertEquals(
                "pipelines[0].sink.batch.maxRecords",
                assertThrows(
                                ConfigException.class,
                                () -> loader.parse("pipelines: [{name: a, sink: {batch: {maxRecords: 0}}}]"))
                        .key());
        assertEquals(
                "pipelines[0].transforms[0].class",
                assertThrows(
                                ConfigException.class,
                                () -> loader.parse("pipelines: [{name: a, transforms: [{label: x}]}]"))
                        .key());
        assertEquals(
                "pipelines",
                assertThrows(ConfigException.class, () -> loader.parse("pipelines: []"))
                        .key());
        assertEquals(
                "pipelines[0].partitionKey",
                assertThrows(ConfigException.class, () -> loader.parse("pipelines: [{name: a, partitionKey: user}]"))
                        .key());
        assertEquals(
                "pipelines[0].http.auth.tokens[0]",
                assertThrows(
                                ConfigException.class,
                                () -> loader.parse("pipelines: [{name: a, http: {auth: {tokens: ['${T:-}']}}}]"))
                        .key());
        assertEquals(
                "admin.tokens[0]",
                assertThrows(
                                ConfigException.class,
                                () -> loader.parse("pipelines: [{name: a}]\nadmin: {tokens: ['${ADMIN_T:-}']}"))
                        .key());
        assertEquals(
                "pipelines[0].http.cors.origins[0]",
                assertThrows(
                                ConfigException.class,
                                () -> loader.parse(
                                        "pipelines: [{name: a, http: {cors: {origins: ['https://x.com/']}}}]"))
                        .key());
        assertEquals(
                "pipelines[0].http.maxRecordBytes",
                assertThrows(
                                ConfigException.class,
                                () -> loader.parse(
                                        "pipelines: [{name: a, http: {maxRequestBytes: 1KB, maxRecordBytes: 2KB}}]"))
                        .key());
        assertEquals(
                "pipelines[0].schema.fields[0].type",
                assertThrows(
                                ConfigException.class,
                                () -> loader.parse(
                                        "pipelines: [{name: a, schema: {fields: [{name: x, type: decimal}]}}]"))
                        .key());
        assertEquals(
                "pipelines[0].schema.fields[1].name",
                assertThrows(
                                ConfigException.class,
                                () -> loader.parse(
                                        "pipelines: [{name: a, schema: {fields: [{name: x, type: json}, {name: x, type: bool}]}}]"))
                        .key());
    }

    @Test
    void readsTheSinkLayout() {
        SinkConfig sink = loader.parse("""
                pipelines:
                  - name: orders
                    sink:
                      timestampField: ts
                      timePartition: "dt=%Y-%m-%d"
                      partitionBy: [merchantId, region]
                      missingPartitionField: dlq
                """).pipelines().get(0).sink();
        assertEquals("ts", sink.timestampField());
        assertEquals("dt=%Y-%m-%d", sink.timePartition());
        assertEquals(List.of("merchantId", "region"), sink.partitionBy());
        assertEquals(SinkConfig.MissingPartitionField.DLQ, sink.missingPartitionField());
        SinkConfig defaults =
                loader.parse("pipelines: [{name: a}]").pipelines().get(0).sink();
        assertEquals(SinkConfig.DEFAULT_TIME_PARTITION, defaults.timePartition());
        assertEquals(SinkConfig.MissingPartitionField.NULL, defaults.missingPartitionField());
        assertEquals(64L << 20, defaults.multipartThreshold());
        assertEquals(16L << 20, defaults.multipartPartSize());
        assertEquals(
                "pipelines[0].sink.multipartPartSize",
                assertThrows(
                                ConfigException.class,
                                () -> loader.parse("pipelines: [{name: a, sink: {multipartPartSize: 1MB}}]"))
                        .key());

        assertEquals(
                "pipelines[0].sink.timePartition",
                assertThrows(
                                ConfigException.class,
                                () -> loader.parse("pipelines: [{name: a, sink: {timePartition: 'y=%Y/%Q'}}]"))
                        .key());
        assertEquals(
                "pipelines[0].sink.timePartition",
                assertThrows(
                                ConfigException.class,
                                () -> loader.parse("pipelines: [{name: a, sink: {timePartition: 'y=%Y/'}}]"))
                        .key());
        assertEquals(
                "pipelines[0].sink.partitionBy[0]",
                assertThrows(
                                ConfigException.class,
                                () -> loader.parse("pipelines: [{name: a, sink: {partitionBy: ['a/b']}}]"))
                        .key());
        assertEquals(
                "pipelines[0].sink.missingPartitionField",
                assertThrows(
                                ConfigException.class,
                                () -> loader.parse("pipelines: [{name: a, sink: {missingPartitionField: drop}}]"))
                        .key());
    }

    @Test
    void readsParquetSinksAndSchemas() {
        PipelineConfig inferred = loader.parse("""
                pipelines:
                  - name: a
                    schema: infer
                    sink: { format: parquet, rowGroupSize: 8MB, maxOpenBatches: 10, maxConcurrentUploads: 2 }
                """).pipelines().get(0);
        assertTrue(inferred.schema().infer());
        assertTrue(RecordSchema.of(inferred.schema()).acceptsAnything());
        assertEquals(SinkConfig.Format.PARQUET, inferred.sink().format());
        assertEquals(SinkConfig.Compression.ZSTD, inferred.sink().compression());
        assertEquals(8L << 20, inferred.sink().rowGroupSize());
        assertEquals(10, inferred.sink().maxOpenBatches());
        assertEquals(2, inferred.sink().maxConcurrentUploads());

        PipelineConfig declared = loader.parse("""
                pipelines:
                  - name: a
                    schema:
                      fields:
                        - { name: id, type: string }
                        - { name: geo, type: struct, fields: [ { name: lat, type: float64, required: true } ] }
                    sink: { format: parquet, compression: snappy }
                """).pipelines().get(0);
        assertEquals(SinkConfig.Compression.SNAPPY, declared.sink().compression());
        SchemaConfig.Field geo = declared.schema().fields().get(1);
        assertEquals(SchemaConfig.Type.STRUCT, geo.type());
        assertEquals(List.of(new SchemaConfig.Field("lat", SchemaConfig.Type.FLOAT64, true)), geo.fields());

        SinkConfig defaults =
                loader.parse("pipelines: [{name: a}]").pipelines().get(0).sink();
        assertEquals(1000, defaults.maxOpenBatches());
        assertEquals(4, defaults.maxConcurrentUploads());
        assertEquals(32L << 20, defaults.rowGroupSize());
        assertEquals(6, defaults.compressionLevel());
        assertEquals(3, inferred.sink().compressionLevel());
        assertEquals(
                1,
                loader.parse("pipelines: [{name: a, sink: {compressionLevel: 1}}]")
                        .pipelines()
                        .get(0)
                        .sink()
                        .compressionLevel());
        assertEquals(
                "sluice",
                loader.parse("pipelines: [{name: a}]\nstorage: {endpoint: 'http://s3'}")
                        .storage()
                        .account());
    }

    @Test
    void refusesParquetWithoutSchemaAndMismatchedCompressions() {
        assertEquals(
                "pipelines[0].schema",
                assertThrows(
                                ConfigException.class,
                                () -> loader.parse("pipelines: [{name: a, sink: {format: parquet}}]"))
                        .key());
        assertEquals(
                "pipelines[0].sink.compression",
                assertThrows(
                                ConfigException.class,
                                () -> loader.parse("pipelines: [{name: a, sink: {compression: zstd}}]"))
                        .key());
        assertEquals(
                "pipelines[0].sink.compression",
                assertThrows(
                                ConfigException.class,
                                () -> loader.parse("pipelines: [{name: a, sink: {compression: lz4}}]"))
                        .key());
        assertEquals(
                "pipelines[0].schema",
                assertThrows(ConfigException.class, () -> loader.parse("pipelines: [{name: a, schema: guess}]"))
                        .key());
        assertEquals(
                "pipelines[0].schema.fields[0].fields",
                assertThrows(
                                ConfigException.class,
                                () -> loader.parse(
                                        "pipelines: [{name: a, schema: {fields: [{name: s, type: struct}]}}]"))
                        .key());
        assertEquals(
                "pipelines[0].schema.fields[0].fields",
                assertThrows(
                                ConfigException.class,
                                () -> loader.parse(
                                        "pipelines: [{name: a, schema: {fields: [{name: s, type: int32, fields: [{name: x, type: bool}]}]}}]"))
                        .key());
        assertEquals(
                "pipelines[0].sink.compressionLevel",
                assertThrows(
                                ConfigException.class,
                                () -> loader.parse("pipelines: [{name: a, sink: {compressionLevel: 10}}]"))
                        .key());
        assertEquals(
                "pipelines[0].sink.compressionLevel",
                assertThrows(
                                ConfigException.class,
                                () -> loader.parse(
                                        "pipelines: [{name: a, schema: infer, sink: {format: parquet, compression: snappy, compressionLevel: 3}}]"))
                        .key());
        assertEquals(
                "pipelines[0].sink.maxOpenBatches",
                assertThrows(
                                ConfigException.class,
                                () -> loader.parse("pipelines: [{name: a, sink: {maxOpenBatches: 0}}]"))
                        .key());
    }

    @Test
    void aSizeTooLargeForItsUnitNamesTheKey() {
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> loader.parse("pipelines: [{name: a, sink: {batch: {maxBytes: 9000000000GB}}}]"));
        assertEquals("pipelines[0].sink.batch.maxBytes", e.key());
    }

    @Test
    void readsWorkflowsWithTheirDefaults() {
        SluiceConfig config = loader.parse("""
                pipelines: [{ name: events }]
                workflows:
                  - name: index-objects
                    class: com.acme.IndexObjects
                    jar: acme-workflows.jar
                    config: { minRows: 10 }
                    trigger:
                      notifications: { pipeline: events }
                      schedule: "0 * * * *"
                    retention: 3d
                    http: { auth: { tokens: ["${EVENTS_BUCKET}"] } }
                  - { name: plain, class: com.acme.Plain }
                workflowsDir: /opt/wf
                """);
        WorkflowConfig w = config.workflow("index-objects").orElseThrow();
        assertEquals("com.acme.IndexObjects", w.className());
        assertEquals("acme-workflows.jar", w.jar());
        assertEquals(10, w.config().get("minRows"));
        assertEquals("events", w.trigger().notifications().pipeline());
        assertEquals("0 * * * *", w.trigger().schedule());
        assertEquals(Duration.ofDays(3), w.retention());
        assertEquals(List.of("lake"), w.http().auth().tokens());
        WorkflowConfig plain = config.workflow("plain").orElseThrow();
        assertEquals(Duration.ofDays(7), plain.retention());
        assertTrue(plain.http().auth().isOpen());
        assertEquals(null, plain.trigger().notifications());
        assertEquals("/opt/wf", config.workflowsDir());
    }

    @Test
    void refusesWorkflowMistakesNamingTheKey() {
        ConfigException unknownPipeline = assertThrows(ConfigException.class, () -> loader.parse("""
                pipelines: [{ name: events }]
                workflows: [{ name: w, class: C, trigger: { notifications: { pipeline: orders } } }]
                """));
        assertEquals("workflows[0].trigger.notifications.pipeline", unknownPipeline.key());
        ConfigException badName = assertThrows(ConfigException.class, () -> loader.parse("""
                pipelines: [{ name: events }]
                workflows: [{ name: "has space", class: C }]
                """));
        assertEquals("workflows[0].name", badName.key());
        ConfigException twice = assertThrows(ConfigException.class, () -> loader.parse("""
                pipelines: [{ name: events }]
                workflows: [{ name: w, class: C }, { name: w, class: D }]
                """));
        assertEquals("workflows[1].name", twice.key());
        ConfigException noClass = assertThrows(ConfigException.class, () -> loader.parse("""
                pipelines: [{ name: events }]
                workflows: [{ name: w }]
                """));
        assertEquals("workflows[0].class", noClass.key());
        ConfigException badRetention = assertThrows(ConfigException.class, () -> loader.parse("""
                pipelines: [{ name: events }]
                workflows: [{ name: w, class: C, retention: forever }]
                """));
        assertEquals("workflows[0].retention", badRetention.key());
    }
}

package dev.sluice.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.config.ConfigLoader;
import dev.sluice.config.PipelineConfig;
import dev.sluice.config.SchemaConfig;
import dev.sluice.config.SinkConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Parquet files as DuckDB reads them: column types, values, rejected records, every codec, inferred growth. */
class ParquetEncoderTest {
    @TempDir
    Path dir;

    private static PipelineConfig pipeline(String yaml) {
        return new ConfigLoader(Map.of()).parse(yaml).pipelines().get(0);
    }

    private Path spool(String name, String... records) throws IOException {
        Path spool = dir.resolve(name + ".ndjson");
        try (var out = Files.newOutputStream(spool)) {
            for (String record : records) {
                NdjsonEncoder.writeLine(out, record.getBytes(StandardCharsets.UTF_8));
            }
        }
        return spool;
    }

    /** Each row of a query as one string, columns joined by '|'. */
    private List<String> query(String sql) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection db = DriverManager.getConnection("jdbc:duckdb:");
                Statement st = db.createStatement()) {
            st.execute("SET extension_directory = '" + dir.resolve("duckdb-ext") + "'");
            st.execute("SET TimeZone = 'UTC'");
            try (ResultSet rs = st.executeQuery(sql)) {
                while (rs.next()) {
                    StringBuilder row = new StringBuilder();
                    for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                        row.append(i == 1 ? "" : "|").append(rs.getString(i));
                    }
                    rows.add(row.toString());
                }
            }
        }
        return rows;
    }

    @Test
    void declaredSchemaGivesTypedColumnsAndRejectsWhatDoesNotFit() throws Exception {
        PipelineConfig p = pipeline("""
                pipelines:
                  - name: orders
                    schema:
                      fields:
                        - { name: id, type: string, required: true }
                        - { name: qty, type: int32 }
                        - { name: amount, type: float64 }
                        - { name: paid, type: bool }
                        - { name: ts, type: timestamp }
                        - { name: meta, type: json }
                        - { name: geo, type: struct, fields: [ { name: lat, type: float64 }, { name: lon, type: float64 } ] }
                    sink: { format: parquet }
                """);
        Path spool = spool(
                "declared",
                "{\"id\":\"a\",\"qty\":2,\"amount\":9.5,\"paid\":true,\"ts\":\"2026-11-22T13:05:00.123456Z\",\"meta\":{\"k\":[1,2]},\"geo\":{\"lat\":1.5,\"lon\":-2}}",
                "{\"id\":\"b\",\"qty\":3.0,\"ts\":1795352700000,\"extra\":\"dropped\"}",
                "{\"id\":\"c\",\"qty\":\"many\"}",
                "{\"qty\":1}");
        Path file;
        try (Rejects rejects = new Rejects(dir.resolve("rejects"))) {
            file = new ObjectEncoders(p)
                    .of(SinkConfig.Format.PARQUET, SinkConfig.Compression.ZSTD)
                    .encode(spool, dir.resolve("declared.parquet"), rejects);
            List<String> reasons = new ArrayList<>();
            rejects.forEach(
                    (value, reason) -> reasons.add(new String(value, StandardCharsets.UTF_8) + " -> " + reason));
            assertEquals(
                    List.of(
                            "{\"id\":\"c\",\"qty\":\"many\"} -> field 'qty' is int32 in the Parquet schema; string \"many\" does not fit",
                            "{\"qty\":1} -> field 'id' is required"),
                    reasons);
        }
        String f = "'" + file + "'";
        assertEquals(
                List.of(
                        "id|VARCHAR",
                        "qty|INTEGER",
                        "amount|DOUBLE",
                        "paid|BOOLEAN",
                        "ts|TIMESTAMP WITH TIME ZONE",
                        "meta|VARCHAR",
                        "geo|STRUCT(lat DOUBLE, lon DOUBLE)"),
                query("SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet(" + f + "))"));
        assertEquals(
                List.of(
                        "a|2|9.5|true|2026-11-22T13:05:00.123456Z|{\"k\":[1,2]}|1.5|-2.0",
                        "b|3|null|null|2026-11-22T13:05Z|null|null|null"),
                query("SELECT id, qty, amount, paid, ts, meta, geo.lat, geo.lon FROM read_parquet(" + f
                        + ") ORDER BY id"));
    }

    @ParameterizedTest
    @EnumSource(value = SinkConfig.Compression.class)
    void everyParquetCodecIsReadable(SinkConfig.Compression compression) throws Exception {
        PipelineConfig p = pipeline("pipelines: [{name: c, schema: infer, sink: {format: parquet}}]");
        List<String> records = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            records.add("{\"id\":" + i + ",\"name\":\"user-" + (i % 7) + "\"}");
        }
        Path file;
        try (Rejects rejects = new Rejects(dir.resolve("rejects"))) {
            file = new ObjectEncoders(p)
                    .of(SinkConfig.Format.PARQUET, compression)
                    .encode(
                            spool("codec", records.toArray(String[]::new)),
                            dir.resolve(compression + ".parquet"),
                            rejects);
        }
        assertEquals(
                List.of("5000|12497500|7"),
                query("SELECT count(*), sum(id), count(DISTINCT name) FROM read_parquet('" + file + "')"));
        String expected = compression == SinkConfig.Compression.NONE ? "UNCOMPRESSED" : compression.name();
        assertTrue(query("SELECT DISTINCT compression FROM parquet_metadata('" + file + "')")
                .contains(expected));
    }

    @Test
    void inferredSchemaWidensWithinABatchAndOnlyAddsColumnsAfterwards() throws Exception {
        PipelineConfig p = pipeline("""
                pipelines:
                  - name: e
                    schema: infer
                    sink: { format: parquet, timestampField: at }
                """);
        ObjectEncoders encoders = new ObjectEncoders(p);
        Path first;
        try (Rejects rejects = new Rejects(dir.resolve("r1"))) {
            first = encoders.of(SinkConfig.Format.PARQUET, SinkConfig.Compression.ZSTD)
                    .encode(
                            spool(
                                    "one",
                                    "{\"id\":1,\"n\":1,\"at\":1795352700000,\"when\":\"2026-11-22T13:05:00Z\",\"tags\":[\"a\"],\"mix\":true}",
                                    "{\"id\":2,\"n\":2.5,\"at\":1795352701000,\"when\":\"2026-11-22T13:06:00+01:00\",\"tags\":{\"b\":1},\"mix\":\"x\"}"),
                            dir.resolve("one.parquet"),
                            rejects);
            assertEquals(0, rejects.count());
        }
        assertEquals(
                List.of(
                        "id|BIGINT",
                        "n|DOUBLE",
                        "at|TIMESTAMP WITH TIME ZONE",
                        "when|TIMESTAMP WITH TIME ZONE",
                        "tags|VARCHAR",
                        "mix|VARCHAR"),
                query("SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('" + first + "'))"));
        assertEquals(
                List.of("1|1.0|[\"a\"]|true", "2|2.5|{\"b\":1}|x"),
                query("SELECT id, n, tags, mix FROM read_parquet('" + first + "') ORDER BY id"));

        Path second;
        List<String> reasons = new ArrayList<>();
        try (Rejects rejects = new Rejects(dir.resolve("r2"))) {
            second = encoders.of(SinkConfig.Format.PARQUET, SinkConfig.Compression.ZSTD)
                    .encode(
                            spool("two", "{\"id\":3,\"city\":\"Oslo\"}", "{\"id\":\"four\"}"),
                            dir.resolve("two.parquet"),
                            rejects);
            rejects.forEach((value, reason) -> reasons.add(reason));
        }
        assertEquals(List.of("field 'id' is int64 in the Parquet schema; string \"four\" does not fit"), reasons);
        assertEquals(
                List.of("id", "n", "at", "when", "tags", "mix", "city"),
                query("SELECT column_name FROM (DESCRIBE SELECT * FROM read_parquet('" + second + "'))"));
        assertEquals(List.of("3|null|Oslo"), query("SELECT id, n, city FROM read_parquet('" + second + "')"));

        // A restarted sink picks the columns up from the state topic and keeps growing the same schema.
        InferredSchema restored = new InferredSchema();
        restored.merge(encoders.inferred().toJson());
        assertEquals(encoders.inferred().columns(), restored.columns());
        assertEquals(SchemaConfig.Type.TIMESTAMP, restored.columns().get(2).type());
    }

    @Test
    void rowGroupSizeSplitsLargeBatches() throws Exception {
        PipelineConfig p = pipeline(
                "pipelines: [{name: g, schema: infer, sink: {format: parquet, compression: none, rowGroupSize: 1MB}}]");
        List<String> records = new ArrayList<>();
        for (int i = 0; i < 40_000; i++) {
            records.add("{\"id\":" + i + ",\"text\":\"text-" + i + "-" + "x".repeat(60)
                    + "\"}"); // ~2.8 MB of distinct text
        }
        Path file;
        try (Rejects rejects = new Rejects(dir.resolve("rejects"))) {
            file = new ObjectEncoders(p)
                    .of(SinkConfig.Format.PARQUET, SinkConfig.Compression.NONE)
                    .encode(spool("groups", records.toArray(String[]::new)), dir.resolve("groups.parquet"), rejects);
        }
        List<String> groups = query("SELECT count(DISTINCT row_group_id) FROM parquet_metadata('" + file + "')");
        assertTrue(Integer.parseInt(groups.get(0)) >= 2, "row groups: " + groups);
        assertEquals(List.of("40000"), query("SELECT count(*) FROM read_parquet('" + file + "')"));
    }
}

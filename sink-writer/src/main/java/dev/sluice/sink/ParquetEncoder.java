package dev.sluice.sink;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.config.SchemaConfig;
import dev.sluice.config.SchemaConfig.Field;
import dev.sluice.config.SinkConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.MessageType;

/**
 * Writes a batch as one Parquet file: the declared schema's columns, or under {@code schema: infer}
 * the pipeline's inferred columns extended by what this batch brings (a first pass over the spool).
 * A record with a value that cannot be coerced to its column is left out and rejected with the
 * reason; fields not in the schema are not written.
 */
final class ParquetEncoder implements ObjectEncoder {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<Field> declared;
    private final InferredSchema inferred;
    private final String timestampField;
    private final CompressionCodecName codec;
    private final int level;
    private final long rowGroupSize;

    /** @param declared the declared fields, or null to infer them into {@code inferred} */
    ParquetEncoder(
            List<Field> declared,
            InferredSchema inferred,
            String timestampField,
            SinkConfig.Compression compression,
            int level,
            long rowGroupSize) {
        this.declared = declared;
        this.inferred = inferred;
        this.timestampField = timestampField;
        this.codec = switch (compression) {
            case ZSTD -> CompressionCodecName.ZSTD;
            case SNAPPY -> CompressionCodecName.SNAPPY;
            case GZIP -> CompressionCodecName.GZIP;
            case NONE -> CompressionCodecName.UNCOMPRESSED;
        };
        this.level = level;
        this.rowGroupSize = rowGroupSize;
    }

    @Override
    public String extension() {
        return ".parquet";
    }

    @Override
    public String contentType() {
        return "application/vnd.apache.parquet";
    }

    @Override
    public Path encode(Path spool, Path scratch, Rejects rejected) throws IOException {
        List<Field> columns = declared != null ? declared : inferred.extend(infer(spool));
        try (ParquetWriter<Object[]> writer = new RowWriterBuilder(new LocalOutputFile(scratch), columns)
                .withConf(new PlainParquetConfiguration())
                .withCodecFactory(new ParquetCodecs(level))
                .withCompressionCodec(codec)
                .withRowGroupSize(rowGroupSize)
                .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
                .build()) {
            IOException[] failed = new IOException[1];
            ParquetColumns.Columns index = new ParquetColumns.Columns(columns);
            NdjsonEncoder.forEachLine(spool, line -> {
                if (failed[0] != null) {
                    return;
                }
                try {
                    Object[] row;
                    try (JsonParser parser = JSON.createParser(line)) {
                        if (parser.nextToken() != JsonToken.START_OBJECT) {
                            rejected.add(line, "not a JSON object");
                            return;
                        }
                        row = ParquetColumns.row(index, parser, line, "");
                    } catch (ParquetColumns.Mismatch e) {
                        rejected.add(line, e.getMessage());
                        return;
                    } catch (JsonProcessingException e) {
                        rejected.add(line, "not valid JSON: " + e.getOriginalMessage());
                        return;
                    }
                    writer.write(row);
                } catch (IOException e) {
                    failed[0] = e;
                }
            });
            if (failed[0] != null) {
                throw failed[0];
            }
        }
        return scratch;
    }

    /** First pass: the type of every top-level field in the batch. */
    private Map<String, SchemaConfig.Type> infer(Path spool) throws IOException {
        Map<String, SchemaConfig.Type> seen = new LinkedHashMap<>();
        NdjsonEncoder.forEachLine(spool, line -> {
            JsonNode record;
            try {
                record = JSON.readTree(line);
            } catch (IOException e) {
                return; // rejected in the second pass
            }
            record.properties().forEach(field -> {
                if (field.getKey().isEmpty() || field.getValue().isNull()) {
                    return;
                }
                SchemaConfig.Type type =
                        ParquetColumns.observe(field.getValue(), field.getKey().equals(timestampField));
                seen.merge(field.getKey(), type, ParquetColumns::widen);
            });
        });
        return seen;
    }

    private static final class RowWriterBuilder extends ParquetWriter.Builder<Object[], RowWriterBuilder> {
        private final List<Field> columns;

        RowWriterBuilder(OutputFile file, List<Field> columns) {
            super(file);
            this.columns = columns;
        }

        @Override
        protected RowWriterBuilder self() {
            return this;
        }

        @Override
        protected WriteSupport<Object[]> getWriteSupport(ParquetConfiguration conf) {
            return new RowWriteSupport(columns);
        }

        @Override
        @Deprecated
        protected WriteSupport<Object[]> getWriteSupport(Configuration conf) {
            return new RowWriteSupport(columns);
        }
    }

    private static final class RowWriteSupport extends WriteSupport<Object[]> {
        private final List<Field> columns;
        private final MessageType schema;
        private RecordConsumer out;

        RowWriteSupport(List<Field> columns) {
            this.columns = columns;
            this.schema = ParquetColumns.messageType(columns);
        }

        @Override
        public WriteContext init(ParquetConfiguration configuration) {
            return new WriteContext(schema, Map.of("writer.model.name", "sluice"));
        }

        @Override
        @Deprecated
        public WriteContext init(Configuration configuration) {
            return new WriteContext(schema, Map.of("writer.model.name", "sluice"));
        }

        @Override
        public void prepareForWrite(RecordConsumer recordConsumer) {
            this.out = recordConsumer;
        }

        @Override
        public void write(Object[] row) {
            out.startMessage();
            ParquetColumns.write(out, columns, row);
            out.endMessage();
        }
    }
}

package dev.sluice.sink;

import dev.sluice.config.PipelineConfig;
import dev.sluice.config.SchemaConfig;
import dev.sluice.config.SinkConfig;
import java.util.List;

/**
 * The encoder for a batch's format and compression. A batch recorded before a configuration change
 * is rebuilt in the format it was recorded with, so it still matches its key's extension.
 */
final class ObjectEncoders {
    private final PipelineConfig pipeline;
    private final InferredSchema inferred = new InferredSchema();
    private final NdjsonEncoder gzip;
    private final NdjsonEncoder plain;

    ObjectEncoders(PipelineConfig pipeline) {
        this.pipeline = pipeline;
        this.gzip = new NdjsonEncoder(true, level(SinkConfig.Compression.GZIP));
        this.plain = new NdjsonEncoder(false, 0);
    }

    /** The configured level when the batch's compression is the configured one, else that codec's default. */
    private int level(SinkConfig.Compression compression) {
        SinkConfig sink = pipeline.sink();
        return compression == sink.compression()
                ? sink.compressionLevel()
                : compression == SinkConfig.Compression.GZIP ? 6 : 3;
    }

    ObjectEncoder of(SinkConfig.Format format, SinkConfig.Compression compression) {
        return switch (format) {
            case NDJSON -> compression == SinkConfig.Compression.GZIP ? gzip : plain;
            case PARQUET ->
                new ParquetEncoder(
                        declaredFields(),
                        inferred,
                        pipeline.sink().timestampField(),
                        compression,
                        level(compression),
                        pipeline.sink().rowGroupSize());
        };
    }

    /** The declared fields, or null when the columns are inferred (also when no schema is declared any more). */
    private List<SchemaConfig.Field> declaredFields() {
        return pipeline.schema() == null
                        || pipeline.schema().infer()
                        || pipeline.schema().fields().isEmpty()
                ? null
                : pipeline.schema().fields();
    }

    /** The inferred Parquet columns, kept in the sink's state so that restarts go on growing the same schema. */
    InferredSchema inferred() {
        return inferred;
    }

    boolean infersSchema() {
        return pipeline.sink().format() == SinkConfig.Format.PARQUET && declaredFields() == null;
    }
}

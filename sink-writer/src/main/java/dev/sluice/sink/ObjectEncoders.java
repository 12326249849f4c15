package dev.sluice.sink;

import dev.sluice.config.PipelineConfig;
import dev.sluice.config.SinkConfig;

/** The encoder for a batch's format and compression. */
final class ObjectEncoders {
    private final NdjsonEncoder gzip = new NdjsonEncoder(true);
    private final NdjsonEncoder plain = new NdjsonEncoder(false);

    ObjectEncoders(PipelineConfig pipeline) {}

    ObjectEncoder of(SinkConfig.Format format, SinkConfig.Compression compression) {
        return switch (format) {
            case NDJSON -> compression == SinkConfig.Compression.GZIP ? gzip : plain;
            case PARQUET -> throw new UnsupportedOperationException("parquet");
        };
    }
}

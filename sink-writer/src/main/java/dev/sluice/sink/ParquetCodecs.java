package dev.sluice.sink;

import com.github.luben.zstd.Zstd;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.GZIPOutputStream;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.bytes.HeapByteBufferAllocator;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.xerial.snappy.Snappy;

/**
 * Page compression for the Parquet writer without Hadoop: parquet-hadoop's own codec factory loads
 * Hadoop's codec classes, which Sluice does not ship. zstd and snappy are the native libraries
 * (zstd-jni, snappy-java), gzip is the JDK's. Write-only.
 */
final class ParquetCodecs implements CompressionCodecFactory {
    private final int level;

    /** @param level the zstd or gzip level; unused by snappy and uncompressed */
    ParquetCodecs(int level) {
        this.level = level;
    }

    @Override
    public BytesInputCompressor getCompressor(CompressionCodecName codec) {
        return switch (codec) {
            case UNCOMPRESSED -> compressor(codec, bytes -> bytes);
            case ZSTD -> compressor(codec, bytes -> BytesInput.from(Zstd.compress(toArray(bytes), level)));
            case SNAPPY -> compressor(codec, bytes -> BytesInput.from(Snappy.compress(toArray(bytes))));
            case GZIP ->
                compressor(codec, bytes -> {
                    ByteArrayOutputStream out = new ByteArrayOutputStream((int) bytes.size() / 2 + 64);
                    try (GZIPOutputStream gzip = new LeveledGzipOutputStream(out, level)) {
                        bytes.writeAllTo(gzip);
                    }
                    return BytesInput.from(out.toByteArray());
                });
            default -> throw new IllegalArgumentException("unsupported Parquet codec " + codec);
        };
    }

    /**
     * The page's bytes as one array, for the compressors that take arrays. {@code BytesInput.toByteArray()}
     * is deprecated for {@code toByteBuffer}: on the heap allocator that buffer needs no release, and it
     * is usually a fresh array of exactly the page (then used as is, without a second copy).
     */
    private static byte[] toArray(BytesInput bytes) {
        ByteBuffer buffer = bytes.toByteBuffer(HeapByteBufferAllocator.getInstance(), allocated -> {});
        if (buffer.hasArray()
                && buffer.arrayOffset() == 0
                && buffer.position() == 0
                && buffer.remaining() == buffer.array().length) {
            return buffer.array();
        }
        byte[] array = new byte[buffer.remaining()];
        buffer.duplicate().get(array);
        return array;
    }

    private interface Compress {
        BytesInput apply(BytesInput bytes) throws IOException;
    }

    private static BytesInputCompressor compressor(CompressionCodecName codec, Compress compress) {
        return new BytesInputCompressor() {
            @Override
            public BytesInput compress(BytesInput bytes) throws IOException {
                return compress.apply(bytes);
            }

            @Override
            public CompressionCodecName getCodecName() {
                return codec;
            }

            @Override
            public void release() {}
        };
    }

    @Override
    public BytesInputDecompressor getDecompressor(CompressionCodecName codec) {
        throw new UnsupportedOperationException("Sluice only writes Parquet");
    }

    @Override
    public void release() {}
}

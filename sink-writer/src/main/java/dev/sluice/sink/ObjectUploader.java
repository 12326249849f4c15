package dev.sluice.sink;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * PUTs finished objects from their files: in one request, or by multipart upload from
 * {@code multipartThreshold} bytes on, streaming each part from the file (no object is held in heap). Either way the object appears whole or not at all. A batch is never skipped: while the
 * store fails, the upload is retried (a failed multipart upload is aborted and started again) with
 * exponential backoff and jitter, for as long as the caller wants to keep trying.
 */
final class ObjectUploader {
    private static final Logger log = LoggerFactory.getLogger(ObjectUploader.class);

    private final S3Client s3;
    private final long multipartThreshold;
    private final long partSize;
    private final Runnable onRetry;

    ObjectUploader(S3Client s3, long multipartThreshold, long partSize) {
        this(s3, multipartThreshold, partSize, () -> {});
    }

    /** @param onRetry told of every failed attempt that is retried */
    ObjectUploader(S3Client s3, long multipartThreshold, long partSize, Runnable onRetry) {
        this.s3 = s3;
        this.multipartThreshold = multipartThreshold;
        this.partSize = partSize;
        this.onRetry = onRetry;
    }

    /**
     * Uploads and returns the ETag.
     *
     * @throws UploadAbandonedException when {@code keepTrying} turns false before an attempt succeeded
     */
    String put(String bucket, String key, Path file, String contentType, BooleanSupplier keepTrying) {
        long size = size(file);
        for (int attempt = 1; ; attempt++) {
            try {
                return size >= multipartThreshold
                        ? putMultipart(bucket, key, file, size, contentType)
                        : putWhole(bucket, key, file, size, contentType);
            } catch (SdkException e) {
                if (!keepTrying.getAsBoolean()) {
                    throw new UploadAbandonedException("gave up uploading s3://" + bucket + "/" + key, e);
                }
                if (Integer.bitCount(attempt) == 1) { // attempts 1, 2, 4, 8…: an outage does not flood the log
                    log.warn(
                            "upload of s3://{}/{} failed (attempt {}), retrying in up to {} ms: {}",
                            bucket,
                            key,
                            attempt,
                            Backoff.UPLOAD.ceilingMillis(attempt),
                            e.getMessage());
                }
                onRetry.run();
                if (!Backoff.UPLOAD.sleep(attempt)) {
                    throw new UploadAbandonedException("interrupted while waiting to retry an upload", e);
                }
            }
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String putWhole(String bucket, String key, Path file, long size, String contentType) {
        PutObjectRequest request = PutObjectRequest.builder()
                .bucket(bucket)
                .key(key)
                .contentType(contentType)
                .contentLength(size)
                .build();
        return s3.putObject(request, RequestBody.fromFile(file)).eTag();
    }

    private String putMultipart(String bucket, String key, Path file, long size, String contentType) {
        String uploadId = s3.createMultipartUpload(CreateMultipartUploadRequest.builder()
                        .bucket(bucket)
                        .key(key)
                        .contentType(contentType)
                        .build())
                .uploadId();
        try {
            List<CompletedPart> parts = new ArrayList<>();
            for (long offset = 0; offset < size; offset += partSize) {
                int partNumber = parts.size() + 1;
                long length = Math.min(partSize, size - offset);
                long start = offset;
                // A provider, not a stream: the SDK may read a part more than once when it retries.
                RequestBody part =
                        RequestBody.fromContentProvider(() -> slice(file, start, length), length, contentType);
                String eTag = s3.uploadPart(
                                r -> r.bucket(bucket)
                                        .key(key)
                                        .uploadId(uploadId)
                                        .partNumber(partNumber)
                                        .contentLength(length),
                                part)
                        .eTag();
                parts.add(CompletedPart.builder()
                        .partNumber(partNumber)
                        .eTag(eTag)
                        .build());
            }
            return s3.completeMultipartUpload(r -> r.bucket(bucket)
                            .key(key)
                            .uploadId(uploadId)
                            .multipartUpload(CompletedMultipartUpload.builder()
                                    .parts(parts)
                                    .build()))
                    .eTag();
        } catch (SdkException e) {
            abortQuietly(bucket, key, uploadId);
            throw e;
        }
    }

    private static InputStream slice(Path file, long start, long length) {
        try {
            FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
            channel.position(start);
            InputStream in = Channels.newInputStream(channel);
            return new InputStream() {
                private long left = length;

                @Override
                public int read() throws IOException {
                    if (left <= 0) {
                        return -1;
                    }
                    int b = in.read();
                    if (b >= 0) {
                        left--;
                    }
                    return b;
                }

                @Override
                public int read(byte[] buffer, int off, int len) throws IOException {
                    if (left <= 0) {
                        return -1;
                    }
                    int n = in.read(buffer, off, (int) Math.min(len, left));
                    if (n > 0) {
                        left -= n;
                    }
                    return n;
                }

                @Override
                public void close() throws IOException {
                    in.close();
                }
            };
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void abortQuietly(String bucket, String key, String uploadId) {
        try {
            s3.abortMultipartUpload(AbortMultipartUploadRequest.builder()
                    .bucket(bucket)
                    .key(key)
                    .uploadId(uploadId)
                    .build());
        } catch (SdkException e) {
            // The store is probably down; a bucket lifecycle rule for incomplete uploads cleans the parts up.
            log.debug("aborting multipart upload {} of s3://{}/{} failed: {}", uploadId, bucket, key, e.toString());
        }
    }

    static final class UploadAbandonedException extends RuntimeException {
        UploadAbandonedException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}

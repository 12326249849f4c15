package dev.sluice.sink;

import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;

/**
 * PUTs finished objects. A batch is never skipped: while the store fails, the upload is retried
 * with exponential backoff and jitter for as long as the caller wants to keep trying.
 */
final class ObjectUploader {
    private static final Logger log = LoggerFactory.getLogger(ObjectUploader.class);
    private static final long MAX_BACKOFF_MILLIS = 10_000;

    private final S3Client s3;

    ObjectUploader(S3Client s3) {
        this.s3 = s3;
    }

    /**
     * Uploads and returns the ETag.
     *
     * @throws UploadAbandonedException when {@code keepTrying} turns false before an attempt succeeded
     */
    String put(String bucket, String key, byte[] body, String contentType, BooleanSupplier keepTrying) {
        long backoff = 100;
        for (int attempt = 1; ; attempt++) {
            try {
                PutObjectRequest request = PutObjectRequest.builder()
                        .bucket(bucket)
                        .key(key)
                        .contentType(contentType)
                        .contentLength((long) body.length)
                        .build();
                PutObjectResponse response = s3.putObject(request, RequestBody.fromBytes(body));
                return response.eTag();
            } catch (SdkException e) {
                if (!keepTrying.getAsBoolean()) {
                    throw new UploadAbandonedException("gave up uploading s3://" + bucket + "/" + key, e);
                }
                log.warn("upload of s3://{}/{} failed (attempt {}), retrying in ~{} ms: {}",
                        bucket, key, attempt, backoff, e.getMessage());
                sleep(backoff / 2 + ThreadLocalRandom.current().nextLong(backoff / 2 + 1));
                backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UploadAbandonedException("interrupted while waiting to retry an upload", e);
        }
    }

    static final class UploadAbandonedException extends RuntimeException {
        UploadAbandonedException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}

package dev.sluice.sink;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
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
 * PUTs finished objects: in one request, or by multipart upload from {@code multipartThreshold}
 * bytes on. Either way the object appears whole or not at all. A batch is never skipped: while the
 * store fails, the upload is retried (a failed multipart upload is aborted and started again) with
 * exponential backoff and jitter, for as long as the caller wants to keep trying.
 */
final class ObjectUploader {
    private static final Logger log = LoggerFactory.getLogger(ObjectUploader.class);
    private static final long MAX_BACKOFF_MILLIS = 10_000;

    private final S3Client s3;
    private final long multipartThreshold;
    private final int partSize;

    ObjectUploader(S3Client s3, long multipartThreshold, long partSize) {
        this.s3 = s3;
        this.multipartThreshold = multipartThreshold;
        this.partSize = (int) partSize;
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
                return body.length >= multipartThreshold
                        ? putMultipart(bucket, key, body, contentType)
                        : putWhole(bucket, key, body, contentType);
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

    private String putWhole(String bucket, String key, byte[] body, String contentType) {
        PutObjectRequest request = PutObjectRequest.builder()
                .bucket(bucket)
                .key(key)
                .contentType(contentType)
                .contentLength((long) body.length)
                .build();
        return s3.putObject(request, RequestBody.fromBytes(body)).eTag();
    }

    private String putMultipart(String bucket, String key, byte[] body, String contentType) {
        String uploadId = s3.createMultipartUpload(CreateMultipartUploadRequest.builder()
                .bucket(bucket).key(key).contentType(contentType).build()).uploadId();
        try {
            List<CompletedPart> parts = new ArrayList<>();
            for (int offset = 0, number = 1; offset < body.length; offset += partSize, number++) {
                byte[] part = Arrays.copyOfRange(body, offset, Math.min(body.length, offset + partSize));
                int partNumber = number;
                String eTag = s3.uploadPart(r -> r.bucket(bucket).key(key).uploadId(uploadId).partNumber(partNumber)
                        .contentLength((long) part.length), RequestBody.fromBytes(part)).eTag();
                parts.add(CompletedPart.builder().partNumber(partNumber).eTag(eTag).build());
            }
            return s3.completeMultipartUpload(r -> r.bucket(bucket).key(key).uploadId(uploadId)
                    .multipartUpload(CompletedMultipartUpload.builder().parts(parts).build())).eTag();
        } catch (SdkException e) {
            abortQuietly(bucket, key, uploadId);
            throw e;
        }
    }

    private void abortQuietly(String bucket, String key, String uploadId) {
        try {
            s3.abortMultipartUpload(AbortMultipartUploadRequest.builder().bucket(bucket).key(key).uploadId(uploadId).build());
        } catch (SdkException e) {
            // The store is probably down; a bucket lifecycle rule for incomplete uploads cleans the parts up.
            log.debug("aborting multipart upload {} of s3://{}/{} failed: {}", uploadId, bucket, key, e.toString());
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

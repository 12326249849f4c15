package dev.sluice.sink;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * An object store in memory, for unit tests of the sink's pieces: whole and multipart PUTs (an object
 * appears only once complete), a log of the calls, and faults: down (every call fails with 503, as in
 * an outage) or a number of part uploads that fail. Integration tests use S3Proxy over the network.
 */
final class MemoryStore implements S3Client {
    final Map<String, byte[]> objects = new ConcurrentHashMap<>();
    final List<String> calls = new CopyOnWriteArrayList<>();
    final AtomicInteger partFailures = new AtomicInteger();
    volatile boolean down;
    /** Runs before each PUT of a whole object is stored, with its key. */
    volatile Consumer<String> beforePut = key -> {};

    private final Map<String, Map<Integer, byte[]>> uploads = new ConcurrentHashMap<>();
    private final AtomicInteger uploadIds = new AtomicInteger();

    @Override
    public PutObjectResponse putObject(PutObjectRequest request, RequestBody body) {
        calls.add("put " + request.key());
        failIfDown();
        beforePut.accept(request.key());
        objects.put(request.key(), read(body));
        return PutObjectResponse.builder()
                .eTag("\"etag-" + request.key().hashCode() + "\"")
                .build();
    }

    @Override
    public CreateMultipartUploadResponse createMultipartUpload(CreateMultipartUploadRequest request) {
        calls.add("create " + request.key());
        failIfDown();
        String id = "upload-" + uploadIds.incrementAndGet();
        uploads.put(id, new ConcurrentHashMap<>());
        return CreateMultipartUploadResponse.builder().uploadId(id).build();
    }

    @Override
    public UploadPartResponse uploadPart(UploadPartRequest request, RequestBody body) {
        calls.add("part " + request.partNumber());
        failIfDown();
        if (partFailures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw unavailable();
        }
        byte[] bytes = read(body);
        if (bytes.length != request.contentLength()) {
            throw new IllegalStateException("part " + request.partNumber() + ": " + bytes.length + " bytes, declared "
                    + request.contentLength());
        }
        uploads.get(request.uploadId()).put(request.partNumber(), bytes);
        return UploadPartResponse.builder().eTag("part-" + request.partNumber()).build();
    }

    @Override
    public CompleteMultipartUploadResponse completeMultipartUpload(CompleteMultipartUploadRequest request) {
        calls.add("complete " + request.key());
        failIfDown();
        Map<Integer, byte[]> parts = uploads.remove(request.uploadId());
        var whole = new ByteArrayOutputStream();
        request.multipartUpload().parts().forEach(p -> whole.writeBytes(parts.get(p.partNumber())));
        objects.put(request.key(), whole.toByteArray());
        return CompleteMultipartUploadResponse.builder().eTag("\"multipart\"").build();
    }

    @Override
    public AbortMultipartUploadResponse abortMultipartUpload(AbortMultipartUploadRequest request) {
        calls.add("abort " + request.key());
        failIfDown();
        uploads.remove(request.uploadId());
        return AbortMultipartUploadResponse.builder().build();
    }

    /** Multipart uploads begun and neither completed nor aborted. */
    int openUploads() {
        return uploads.size();
    }

    private void failIfDown() {
        if (down) {
            throw unavailable();
        }
    }

    private static S3Exception unavailable() {
        return (S3Exception) S3Exception.builder()
                .statusCode(503)
                .message("store unavailable (test fault)")
                .build();
    }

    private static byte[] read(RequestBody body) {
        try (InputStream in = body.contentStreamProvider().newStream()) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String serviceName() {
        return "s3";
    }

    @Override
    public void close() {}
}

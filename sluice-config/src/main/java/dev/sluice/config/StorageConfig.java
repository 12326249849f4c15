package dev.sluice.config;

/**
 * The S3-compatible object store. Absent in {@code sluice dev}, which starts its own.
 *
 * @param endpoint  e.g. {@code http://127.0.0.1:9000}; null means AWS S3 itself
 * @param region    signing region (default {@code us-east-1})
 * @param accessKey access key id
 * @param secretKey secret access key
 */
public record StorageConfig(String endpoint, String region, String accessKey, String secretKey) {
    public StorageConfig {
        region = region == null ? "us-east-1" : region;
    }
}

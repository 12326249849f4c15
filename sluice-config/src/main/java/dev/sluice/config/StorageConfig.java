package dev.sluice.config;

/**
 * The S3-compatible object store. Absent in {@code sluice dev}, which starts its own.
 *
 * @param endpoint  e.g. {@code http://127.0.0.1:9000}; null means AWS S3 itself
 * @param region    signing region (default {@code us-east-1})
 * @param accessKey access key id
 * @param secretKey secret access key
 * @param account   the {@code account} of event notifications, as R2 names the bucket owner (default {@code sluice})
 */
public record StorageConfig(String endpoint, String region, String accessKey, String secretKey, String account) {
    public StorageConfig {
        region = region == null ? "us-east-1" : region;
        account = account == null ? "sluice" : account;
    }

    public StorageConfig(String endpoint, String region, String accessKey, String secretKey) {
        this(endpoint, region, accessKey, secretKey, null);
    }

    void validate(String at) {
        if ((accessKey == null) != (secretKey == null)) {
            throw new ConfigException(
                    at, "set both accessKey and secretKey, or neither (to use the default AWS credentials)");
        }
    }

    @Override
    public String toString() {
        return "StorageConfig[endpoint=" + endpoint + ", region=" + region + ", account=" + account + "]";
    }
}

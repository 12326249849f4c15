package dev.sluice.sink;

import dev.sluice.config.StorageConfig;
import java.net.URI;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;

/** Builds the S3 client every role shares, tuned for S3-compatible stores (MinIO, S3Proxy, R2). */
public final class S3Clients {
    private S3Clients() {}

    public static S3Client create(StorageConfig storage) {
        S3ClientBuilder builder = S3Client.builder()
                .region(Region.of(storage.region()))
                .httpClientBuilder(Apache5HttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(5))
                        .socketTimeout(Duration.ofSeconds(60))
                        .expectContinueEnabled(false))
                // Path-style addressing works on every S3-compatible store; virtual hosts need DNS.
                .serviceConfiguration(S3Configuration.builder()
                        .pathStyleAccessEnabled(true)
                        .chunkedEncodingEnabled(false)
                        .build())
                // Extra CRC checksums cost a pass over every object and not every store supports them.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                // One attempt per call: the sink retries with its own schedule (Backoff) for as long as the
                // store fails, and a health check should see a failure at once; SDK retries nested inside
                // would multiply the waits and hide outages.
                .overrideConfiguration(o -> o.retryStrategy(r -> r.maxAttempts(1)));
        if (storage.endpoint() != null) {
            builder.endpointOverride(URI.create(storage.endpoint()));
        }
        if (storage.accessKey() != null) {
            builder.credentialsProvider(StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(storage.accessKey(), storage.secretKey())));
        } else {
            builder.credentialsProvider(DefaultCredentialsProvider.builder().build());
        }
        return builder.build();
    }
}

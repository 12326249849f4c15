package dev.sluice.server;

import java.nio.file.Path;

/**
 * Where {@code sluice dev} keeps its data and which loopback ports it serves on.
 *
 * @param dataDir             Kafka log, object store folders and processor state
 * @param httpPort            ingest HTTP port ({@code --http-port})
 * @param kafkaPort           Kafka client listener ({@code --kafka-port})
 * @param kafkaControllerPort KRaft controller listener ({@code --kafka-controller-port})
 * @param s3Port              S3 endpoint ({@code --s3-port})
 */
public record DevOptions(Path dataDir, int httpPort, int kafkaPort, int kafkaControllerPort, int s3Port) {
    /** Dev mode serves on loopback only; exposing it needs auth, which is the production shape's job. */
    public static final String HOST = "127.0.0.1";

    public DevOptions {
        // S3Proxy's filesystem store refuses every bucket under a base path with "." segments, which
        // is exactly what the default "./.sluice" gives; one canonical path also makes logs clearer.
        dataDir = dataDir.toAbsolutePath().normalize();
    }
}

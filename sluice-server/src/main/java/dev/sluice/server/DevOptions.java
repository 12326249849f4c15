package dev.sluice.server;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

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
        requireDistinct(Map.of(
                "--http-port", httpPort,
                "--kafka-port", kafkaPort,
                "--kafka-controller-port", kafkaControllerPort,
                "--s3-port", s3Port));
    }

    /** Each server binds its own port: two flags on one port would fail half-way through start-up. */
    private static void requireDistinct(Map<String, Integer> portsByFlag) {
        Map<Integer, String> flagByPort = new TreeMap<>();
        for (Map.Entry<String, Integer> e : new TreeMap<>(portsByFlag).entrySet()) {
            if (e.getValue() == 0) {
                continue; // any free port
            }
            String other = flagByPort.putIfAbsent(e.getValue(), e.getKey());
            if (other != null) {
                throw new IllegalArgumentException("port " + e.getValue() + " is given to both " + other + " and "
                        + e.getKey() + " (--kafka-controller-port defaults to --kafka-port + 1); give each its own");
            }
        }
    }
}

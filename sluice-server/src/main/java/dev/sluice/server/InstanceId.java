package dev.sluice.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * This process's stable name in Kafka: the ingest lanes' and the sink's transactional ids and the
 * static group membership of the processor, sink and workflows derive from it, so a restarted process
 * takes over its predecessor's partitions at once and aborts what it left open instead of every reader
 * waiting for that to time out.
 * {@code SLUICE_INSTANCE_ID} sets it (e.g. a StatefulSet pod name); otherwise it is made once and kept
 * in {@code <data-dir>/instance-id}. Two running processes must never share one.
 */
final class InstanceId {
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._-]{1,100}");

    private InstanceId() {}

    static String of(Path dataDir, String fromEnvironment) {
        if (fromEnvironment != null && !fromEnvironment.isBlank()) {
            if (!VALID.matcher(fromEnvironment).matches()) {
                throw new IllegalArgumentException("SLUICE_INSTANCE_ID '" + fromEnvironment
                        + "' may hold only letters, digits, '.', '_' and '-' (at most 100)");
            }
            return fromEnvironment;
        }
        Path file = dataDir.resolve("instance-id");
        try {
            if (Files.exists(file)) {
                String id = Files.readString(file, StandardCharsets.UTF_8).trim();
                if (VALID.matcher(id).matches()) {
                    return id;
                }
            }
            Files.createDirectories(dataDir);
            String id = UUID.randomUUID().toString().substring(0, 8);
            Files.writeString(file, id + "\n", StandardCharsets.UTF_8);
            return id;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the instance id in " + file, e);
        }
    }
}

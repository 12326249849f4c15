package dev.sluice.ingest;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Request ids: random version-4 UUIDs from {@link ThreadLocalRandom}. {@link UUID#randomUUID()} draws from
 * one shared {@code SecureRandom}, a lock every request thread queues on; an id only has to be unique,
 * not unguessable.
 */
final class RequestIds {
    private RequestIds() {}

    static String next() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = (random.nextLong() & ~0xF000L) | 0x4000L; // version 4
        long low = (random.nextLong() & ~(0x3L << 62)) | (0x2L << 62); // IETF variant
        return new UUID(high, low).toString();
    }
}

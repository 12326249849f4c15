package dev.sluice.config;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.time.Duration;

/**
 * How long a request's {@code Idempotency-Key} is remembered: a request repeated with the same key within
 * this window is answered 200 and its records land once.
 *
 * @param window default 24h, as clients of Stripe-style idempotency keys expect
 */
public record IdempotencyConfig(
        @JsonDeserialize(using = Units.DurationDeserializer.class)
        Duration window) {

    public static final IdempotencyConfig DEFAULTS = new IdempotencyConfig(null);

    public IdempotencyConfig {
        window = window == null ? Duration.ofHours(24) : window;
    }

    void validate(String at) {
        if (window.isZero() || window.isNegative()) {
            throw new ConfigException(at + ".window", "must be positive");
        }
        if (window.compareTo(Duration.ofDays(30)) > 0) {
            throw new ConfigException(at + ".window", "must be at most 30d (the processor keeps every key that long)");
        }
    }
}

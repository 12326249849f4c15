package dev.sluice.server.cli;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** A point in time as options take it: an ISO-8601 instant, or a time ago ({@code 30s}, {@code 30m}, {@code 2h}, {@code 7d}). */
final class When {
    private When() {}

    /** @throws ParameterException naming the option when the value is neither */
    static Instant parse(CommandSpec spec, String option, String value, Clock clock) {
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException notAnInstant) {
            // a time ago, then
        }
        if (value.matches("\\d+[smhd]")) {
            long n = Long.parseLong(value.substring(0, value.length() - 1));
            Duration ago = switch (value.charAt(value.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
            return clock.instant().minus(ago);
        }
        throw new ParameterException(
                spec.commandLine(),
                option + " must be an instant such as 2026-11-28T08:00:00Z or a time ago such as 30m, 2h, 1d, not '"
                        + value + "'");
    }
}

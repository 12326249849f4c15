package dev.sluice.server;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/** The parts of Sluice one process can run; every role scales out by starting more processes. */
public enum Role {
    INGEST,
    PROCESSOR,
    SINK,
    WORKFLOWS;

    public static final Set<Role> ALL = EnumSet.allOf(Role.class);

    private static final Pattern COMMA = Pattern.compile(",");

    /** Parses {@code ingest,processor,sink,workflows}; trailing commas are ignored. */
    public static Set<Role> parse(String list) {
        Set<Role> roles = EnumSet.noneOf(Role.class);
        COMMA.splitAsStream(list).map(Role::parseOne).forEach(roles::add);
        return roles;
    }

    private static Role parseOne(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "unknown role '" + name.trim() + "'; roles are ingest, processor, sink, workflows");
        }
    }
}

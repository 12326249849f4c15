package dev.sluice.server;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** The parts of Sluice one process can run; every role scales out by starting more processes. */
public enum Role {
    INGEST,
    PROCESSOR,
    SINK,
    WORKFLOWS;

    public static final Set<Role> ALL = EnumSet.allOf(Role.class);

    /** Parses {@code ingest,processor,sink,workflows}. */
    public static Set<Role> parse(String list) {
        Set<Role> roles = EnumSet.noneOf(Role.class);
        for (String name : list.split(",")) {
            try {
                roles.add(valueOf(name.trim().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "unknown role '" + name.trim() + "'; roles are ingest, processor, sink, workflows");
            }
        }
        return roles;
    }
}

package dev.sluice.workflows.internal;

/** The recorded steps of an instance, by step identity ({@code name#n}); null when not recorded. */
@FunctionalInterface
public interface History {
    History EMPTY = id -> null;

    Recorded get(String stepId);
}

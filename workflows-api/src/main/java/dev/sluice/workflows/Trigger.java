package dev.sluice.workflows;

import java.util.Locale;

/** How an instance was started; Cloudflare's {@code trigger.source} values. */
public enum Trigger {
    /** A REST create (or a parent workflow's {@link WorkflowStep#runWorkflow}). */
    API,
    /** An object notification of a pipeline. */
    EVENT,
    /** A tick of the workflow's {@code schedule}. */
    CRON;

    /** {@code api}, {@code event} or {@code cron}, as the REST API writes it. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Trigger fromWireName(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}

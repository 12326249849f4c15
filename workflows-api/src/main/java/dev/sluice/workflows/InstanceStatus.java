package dev.sluice.workflows;

/** Where an instance is; the REST API writes {@link #wireName()}, Cloudflare's spelling. */
public enum InstanceStatus {
    /** Created, not yet run. */
    QUEUED("queued"),
    /** Running a step (or replaying up to the next one). */
    RUNNING("running"),
    /** Held at a step boundary by a pause. */
    PAUSED("paused"),
    /** Sleeping, backing off before a retry, waiting for an event or for a child workflow. */
    WAITING("waiting"),
    /** Paused while a step ran; becomes {@code paused} when the step ends. */
    WAITING_FOR_PAUSE("waitingForPause"),
    /** Ended with an error that escaped {@code run}. */
    ERRORED("errored"),
    /** Ended by a terminate. */
    TERMINATED("terminated"),
    /** {@code run} returned. */
    COMPLETE("complete");

    private final String wireName;

    InstanceStatus(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** Errored, terminated or complete: nothing more happens to the instance unless it is restarted. */
    public boolean isFinal() {
        return this == ERRORED || this == TERMINATED || this == COMPLETE;
    }

    public static InstanceStatus fromWireName(String name) {
        for (InstanceStatus status : values()) {
            if (status.wireName.equals(name)) {
                return status;
            }
        }
        throw new IllegalArgumentException("'" + name + "' is not an instance status");
    }
}

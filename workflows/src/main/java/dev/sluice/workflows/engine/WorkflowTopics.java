package dev.sluice.workflows.engine;

/**
 * The workflow engine's own names and sizes: its state stores (whose changelogs Streams names after
 * them), the partitions and record size of the commands topic, and an instance's key. The names other
 * processes share (the commands topic, the application id) are in {@code dev.sluice.wire}.
 */
public final class WorkflowTopics {
    /** Partitions of the commands topic: the engine's unit of scale-out. */
    public static final int COMMAND_PARTITIONS = 8;
    /** Instance state ({@code InstanceState} as JSON) by {@code workflow/id}. */
    static final String INSTANCES = "wf-instances";
    /** Step results by {@code workflow/id} NUL {@code stepId}. */
    static final String RESULTS = "wf-results";
    /** Timers by big-endian due time + instance key: a range scan finds what fell due. */
    static final String TIMERS = "wf-timers";
    /** Largest record on the commands topic and the changelogs: a 1 MiB step result plus its envelope. */
    public static final int MAX_MESSAGE_BYTES = 2 * 1024 * 1024;

    private WorkflowTopics() {}

    /** The key of an instance in the commands topic and the stores. */
    static String key(String workflow, String id) {
        return workflow + "/" + id;
    }
}

package dev.sluice.wire;

/**
 * Consumer groups, Streams application ids and transactional ids. The ids of a process's transactional
 * clients derive from its instance id, so a restarted process fences (and aborts) what its previous
 * life left open instead of waiting for the transaction to time out.
 */
public final class ClientIds {
    /** The workflow engine's Kafka Streams application (also the prefix of its changelog topics). */
    public static final String WORKFLOWS_APPLICATION = "sluice-workflows";

    private ClientIds() {}

    /** A pipeline's stream processor (Kafka Streams application id, prefix of its internal topics). */
    public static String processorApplication(String pipeline) {
        return "sluice-" + pipeline + "-processor";
    }

    /** One processor process of a pipeline: its static group member id (Streams appends the thread's index). */
    public static String processorMember(String pipeline, String instanceId) {
        return "sluice-" + pipeline + "-processor-" + instanceId;
    }

    /** The consumer group of a pipeline's sinks. */
    public static String sinkGroup(String pipeline) {
        return pipeline + "-sink";
    }

    /** One sink process of a pipeline: its static group member id, client id and transactional id. */
    public static String sinkMember(String pipeline, String instanceId) {
        return "sluice-sink-" + pipeline + "-" + instanceId;
    }

    /** One producer lane of an ingest process: its transactional id. */
    public static String ingestTransaction(String instanceId, int lane) {
        return "sluice-ingest-" + instanceId + "-" + lane;
    }

    /**
     * The transactional id of a pipeline's dead-letter replays: one for every process, so that two replays
     * at once fence each other instead of both putting the same dead letters back.
     */
    public static String deadLetterReplay(String pipeline) {
        return "sluice-" + pipeline + "-dlq-replay";
    }

    /** The transactional id of a pipeline's backfills: one for every process, as for dead-letter replays. */
    public static String backfill(String pipeline) {
        return "sluice-" + pipeline + "-backfill";
    }

    /** One workflow engine process: its static group member id. */
    public static String workflowsMember(String instanceId) {
        return "sluice-workflows-" + instanceId;
    }
}

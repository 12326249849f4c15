package dev.sluice.wire;

/** Sluice's Kafka topics. */
public final class Topics {
    /** Every object written by any pipeline's sink is announced here (R2's event-notification shape). */
    public static final String NOTIFICATIONS = "sluice.notifications";
    /** Every change of a workflow instance: create, outcome, event, pause, …; keyed {@code workflow/id}. */
    public static final String WORKFLOW_COMMANDS = "sluice.workflows.commands";

    /**
     * The processor's store of recent idempotency keys; Kafka Streams names its changelog
     * {@code {processor application}-idempotency-keys-changelog}.
     */
    public static final String PROCESSOR_IDEMPOTENCY_STORE = "idempotency-keys";

    private Topics() {}

    /** What ingest writes and Kafka-protocol producers may write to directly: the pipeline's name itself. */
    public static String input(String pipeline) {
        return pipeline;
    }

    /** What the processor writes after the transforms, and the sink reads. */
    public static String output(String pipeline) {
        return pipeline + ".out";
    }

    /** Records that could not be parsed, validated, transformed or encoded, with the reason in {@link SluiceHeaders}. */
    public static String deadLetters(String pipeline) {
        return pipeline + ".dlq";
    }

    /**
     * Which dead letters were replayed: compacted, keyed {@code partition@offset} of {@code {pipeline}.dlq}, so
     * that a replay puts each dead letter back once however often it runs.
     */
    public static String deadLettersReplayed(String pipeline) {
        return pipeline + ".dlq-replayed";
    }

    /**
     * Which objects backfills re-ingested into the pipeline: compacted, keyed {@code s3://bucket/key}, valued by
     * the object's ETag, so that a backfill re-ingests each object once however often it runs.
     */
    public static String backfilled(String pipeline) {
        return pipeline + ".backfilled";
    }

    /** The sink's batch manifests, partitioned like the output topic. */
    public static String sinkState(String pipeline) {
        return pipeline + ".sink-state";
    }

    /** A lookup table: compacted, key → JSON row. */
    public static String table(String table) {
        return "sluice.table." + table;
    }
}

package dev.sluice.transforms;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What the pipeline does with records that transforms cannot: wrap its input with metadata, and ask
 * whether a transform changed a record (an unchanged one goes on with its original bytes). Not part of
 * the API: it may change in any release. It lives here, like Kafka Streams' {@code
 * InternalFixedKeyRecordFactory}, because it needs {@link Record}'s package-private members.
 */
public final class InternalRecords {
    private InternalRecords() {}

    /** An input record as the pipeline hands it to the first transform. */
    public static Record of(ObjectNode json, RecordMetadata metadata) {
        return Record.of(json, metadata);
    }

    /** See {@link Record#isModified()}. */
    public static boolean isModified(Record record) {
        return record.isModified();
    }
}

package dev.sluice.transforms;

import java.time.Instant;
import java.util.Map;

/**
 * Read-only facts about where a record came from. Records a transform creates with
 * {@link Record#of} carry none until the pipeline gives them their input's.
 *
 * <pre>{@code
 * if ("ws".equals(record.metadata().source())) { … }
 * Instant received = record.metadata().ingestTime();
 * }</pre>
 *
 * @param pipeline   the pipeline's name
 * @param ingestTime when Sluice accepted the record (for Kafka producers: the record's timestamp)
 * @param source     {@code http}, {@code ws}, or {@code kafka} for records producers wrote to the topic directly
 * @param partition  the Kafka partition of the pipeline's topic it was read from, or -1
 * @param offset     its offset there, or -1
 * @param headers    the Kafka headers, as UTF-8 text (the last value of a repeated header)
 */
public record RecordMetadata(
        String pipeline, Instant ingestTime, String source, int partition, long offset, Map<String, String> headers) {

    /** For records not (yet) read from Kafka. */
    public static final RecordMetadata NONE = new RecordMetadata(null, null, null, -1, -1, Map.of());

    public RecordMetadata {
        headers = headers == null ? Map.of() : Map.copyOf(headers);
    }

    /** One header, or null. */
    public String header(String name) {
        return headers.get(name);
    }
}

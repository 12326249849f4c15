package dev.sluice.transforms;

/**
 * Where a {@link Transform} sends its output records.
 *
 * <pre>{@code
 * for (JsonNode item : order.get("items")) {
 *     out.emit(Record.of(item.deepCopy()));
 * }
 * }</pre>
 */
@FunctionalInterface
public interface Emitter {
    /**
     * Sends one record on: to the next transform, or to the output topic after the last. Call it once per
     * output record (zero times drops the input); the record must not be changed after it is emitted.
     */
    void emit(Record record);
}

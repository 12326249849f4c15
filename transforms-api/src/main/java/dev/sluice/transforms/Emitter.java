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
    void emit(Record record);
}

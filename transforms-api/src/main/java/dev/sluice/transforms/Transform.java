package dev.sluice.transforms;

/**
 * User code that turns one record into zero, one or many records. A pipeline runs its
 * transforms in the order of {@code sluice.yaml}; what one emits is what the next receives.
 *
 * <pre>{@code
 * public final class DropAnonymous implements Transform {
 *     public void apply(Record record, Emitter out) {
 *         if (record.has("user")) {
 *             out.emit(record.set("seen", true));
 *         }
 *     }
 * }
 * }</pre>
 *
 * <p>A transform instance is used by one thread at a time (each stream task has its own). What
 * happens when {@link #apply} throws is the step's {@code onError} in {@code sluice.yaml}: {@code dlq}
 * (the default) sends the input record to {@code {pipeline}.dlq} with the label, exception and
 * message in headers, {@code skip} drops it (counted), {@code fail} stops the pipeline. Either way
 * nothing of that input is emitted, and the next record is not held up.
 *
 * <p>Test a transform without Kafka with {@link TransformTestDriver}.
 */
public interface Transform extends AutoCloseable {

    /** Called once before the first record, with this step's label and config. */
    default void open(TransformContext context) throws Exception {}

    /** Emits the records that replace {@code record}: none to drop it, several to split it. */
    void apply(Record record, Emitter out) throws Exception;

    /** Called once when the pipeline stops. */
    @Override
    default void close() throws Exception {}
}

/**
 * The API a transform is written against: implement {@link dev.sluice.transforms.Transform}, read and
 * change {@link dev.sluice.transforms.Record}s, send results to the {@link dev.sluice.transforms.Emitter},
 * and test it with {@link dev.sluice.transforms.TransformTestDriver} — no Kafka types, no broker.
 *
 * <pre>{@code
 * public final class Shout implements Transform {
 *     public void apply(Record record, Emitter out) {
 *         out.emit(record.set("msg", record.getString("msg").toUpperCase(Locale.ROOT)));
 *     }
 * }
 * }</pre>
 *
 * Import {@code dev.sluice.transforms.Record} by name: a wildcard import of this package leaves
 * {@code Record} ambiguous with {@code java.lang.Record}.
 */
package dev.sluice.transforms;

package dev.sluice.sink;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The batches recorded in the state topic that still matter for the source partitions this sink owns.
 *
 * <p>Offsets commit up to the first record of the oldest open batch, so a recorded batch can end
 * beyond the committed offset of a partition: after a crash or a rebalance those records are read
 * again, and must be skipped because they already are in a (pending or written) object. A record is
 * in a recorded batch when its offset lies in the batch's range for that partition and it maps to
 * the batch's output partition under the layout the batch was cut with.
 *
 * <p>Once the committed offset of a partition passes a written batch's last offset there, nothing
 * can read those records again and the batch's state record is removed ({@link #removable}).
 */
final class RecordedBatches {
    private final ObjectKeyLayout current;
    private final Map<ObjectKeyLayout.Spec, ObjectKeyLayout> otherLayouts = new HashMap<>();
    private final Map<Integer, Map<String, Entry>> byPartition = new HashMap<>();
    /** Per partition, the last offset that may belong to a batch recorded before this sink owned it. */
    private final Map<Integer, Long> replayUntil = new HashMap<>();

    private static final class Entry {
        final OffsetRange range;
        final String folders;
        final ObjectKeyLayout.Spec layout;
        boolean written;

        Entry(OffsetRange range, String folders, ObjectKeyLayout.Spec layout, boolean written) {
            this.range = range;
            this.folders = folders;
            this.layout = layout;
            this.written = written;
        }
    }

    RecordedBatches(ObjectKeyLayout current) {
        this.current = current;
    }

    /**
     * Remembers a batch for one source partition.
     *
     * @param replay the batch was recorded before this sink took the partition, so its records may come again
     */
    void add(int sourcePartition, BatchManifest manifest, boolean replay) {
        OffsetRange range = manifest.ranges().get(sourcePartition);
        if (range == null) {
            return;
        }
        byPartition
                .computeIfAbsent(sourcePartition, p -> new LinkedHashMap<>())
                .put(manifest.key(), new Entry(range, manifest.partition(), manifest.layout(), !manifest.isPending()));
        if (replay) {
            replayUntil.merge(sourcePartition, range.last(), Math::max);
        }
    }

    void markWritten(BatchManifest manifest) {
        for (int p : manifest.ranges().keySet()) {
            Map<String, Entry> entries = byPartition.get(p);
            Entry entry = entries == null ? null : entries.get(manifest.key());
            if (entry != null) {
                entry.written = true;
            }
        }
    }

    /**
     * Whether a record read again already is in a recorded batch.
     *
     * @param folders the record's output partition under the current layout
     */
    boolean contains(int sourcePartition, long offset, String folders, long timestamp, byte[] value) {
        Long until = replayUntil.get(sourcePartition);
        if (until == null) {
            return false;
        }
        if (offset > until) {
            replayUntil.remove(sourcePartition);
            return false;
        }
        for (Entry entry : byPartition.get(sourcePartition).values()) {
            if (!entry.range.contains(offset)) {
                continue;
            }
            String mapped = entry.layout.equals(current.spec())
                    ? folders
                    : otherLayouts
                            .computeIfAbsent(entry.layout, ObjectKeyLayout::new)
                            .partition(timestamp, value);
            if (mapped.equals(entry.folders)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Takes out the written batches of a partition that the committed offset has passed, and returns
     * their keys: their state records can go.
     */
    List<String> removable(int sourcePartition, long committed) {
        Map<String, Entry> entries = byPartition.get(sourcePartition);
        if (entries == null) {
            return List.of();
        }
        List<String> keys = new ArrayList<>();
        for (Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Entry> e = it.next();
            if (e.getValue().written && e.getValue().range.last() < committed) {
                keys.add(e.getKey());
                it.remove();
            }
        }
        return keys;
    }

    /** The partition moved to another sink, which loads its batches from the state topic. */
    void forget(int sourcePartition) {
        byPartition.remove(sourcePartition);
        replayUntil.remove(sourcePartition);
    }

    void clear() {
        byPartition.clear();
        replayUntil.clear();
    }
}

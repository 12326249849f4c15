package dev.sluice.ingest;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * The keys of the JSON objects open at one point of a parse, innermost last, to find a key repeated within one
 * object. One instance serves a whole request body and allocates nothing per object of up to {@link #SCAN_LIMIT}
 * keys: Jackson's own check ({@code STRICT_DUPLICATE_DETECTION}) allocated a {@code HashSet} for every object of
 * three or more keys, about 300 bytes per record, an eighth of everything ingest allocated per record.
 *
 * <p>The parser hands over key names canonicalized (one {@code String} per distinct name), so the scan mostly
 * compares references.
 */
final class DuplicateKeys {
    /** Keys of one object beyond which a set replaces the scan, so a hostile object costs no quadratic time. */
    static final int SCAN_LIMIT = 32;

    private String[] keys = new String[16];
    private int size;
    /** Where each open object's keys begin in {@link #keys}, outermost first. */
    private int[] starts = new int[4];
    /** The set of each open object with more than {@link #SCAN_LIMIT} keys, else null. */
    private Set<String>[] large = newSets(4);

    private int depth;

    void openObject() {
        if (depth == starts.length) {
            starts = Arrays.copyOf(starts, depth * 2);
            large = Arrays.copyOf(large, depth * 2);
        }
        starts[depth++] = size;
    }

    void closeObject() {
        depth--;
        large[depth] = null;
        size = starts[depth];
    }

    /** Adds a key to the innermost open object; false if that object has it already. */
    boolean add(String key) {
        int level = depth - 1;
        Set<String> set = large[level];
        if (set != null) {
            return set.add(key);
        }
        int start = starts[level];
        for (int i = start; i < size; i++) {
            if (keys[i].equals(key)) {
                return false;
            }
        }
        if (size - start == SCAN_LIMIT) {
            set = new HashSet<>(Arrays.asList(keys).subList(start, size));
            set.add(key);
            large[level] = set;
            return true;
        }
        if (size == keys.length) {
            keys = Arrays.copyOf(keys, size * 2);
        }
        keys[size++] = key;
        return true;
    }

    @SuppressWarnings("unchecked")
    private static Set<String>[] newSets(int n) {
        return (Set<String>[]) new Set<?>[n];
    }
}

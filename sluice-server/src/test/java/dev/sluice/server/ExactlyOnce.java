package dev.sluice.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** The guarantee most integration tests end on: every acknowledged record in the output once, counted by id. */
final class ExactlyOnce {
    private ExactlyOnce() {}

    /** Output records by their {@code id} field, with how often each appears. */
    static Map<String, Long> idCounts(List<JsonNode> output) {
        return output.stream()
                .collect(Collectors.groupingBy(r -> r.get("id").asText(), TreeMap::new, Collectors.counting()));
    }

    /** Nothing lost (every acknowledged id is there), nothing duplicated (once each), nothing else (no other id). */
    static void assertEveryIdOnce(Collection<String> acknowledged, List<JsonNode> output) {
        Map<String, Long> counts = idCounts(output);
        Map<String, Long> expected = new TreeMap<>();
        acknowledged.forEach(id -> expected.put(id, 1L));
        // The sizes first: on a failure they say at once whether records were lost or duplicated.
        assertEquals(expected.size(), counts.size(), "distinct ids in the output");
        assertEquals(output.size(), counts.size(), "records in the output that share an id");
        assertEquals(expected, counts, "every acknowledged record exactly once");
    }

    /**
     * As {@link #assertEveryIdOnce}, where some requests had an unknown outcome (their connection was cut by
     * a kill): their ids may each be in the output once, or not at all.
     */
    static void assertEveryIdOnce(Collection<String> acknowledged, Collection<String> unknown, List<JsonNode> output) {
        Map<String, Long> counts = idCounts(output);
        Map<String, Long> duplicated = new TreeMap<>();
        counts.forEach((id, n) -> {
            if (n > 1) {
                duplicated.put(id, n);
            }
        });
        assertEquals(
                0, duplicated.size(), () -> "records in the output more than once: " + sample(duplicated.keySet()));
        List<String> lost = acknowledged.stream()
                .filter(id -> !counts.containsKey(id))
                .sorted()
                .toList();
        assertEquals(0, lost.size(), () -> "acknowledged records missing from the output: " + sample(lost));
        // Sets: a fleet's ledger has 100k+ ids, and List.contains per output id would take minutes.
        Set<String> known = new HashSet<>(acknowledged);
        known.addAll(unknown);
        List<String> foreign =
                counts.keySet().stream().filter(id -> !known.contains(id)).toList();
        assertEquals(0, foreign.size(), () -> "records in the output that were never acknowledged: " + sample(foreign));
    }

    /** The first ids of a long list, so that a failure message stays readable. */
    private static String sample(Collection<String> ids) {
        return ids.stream().limit(20).toList() + (ids.size() > 20 ? " and " + (ids.size() - 20) + " more" : "");
    }
}

package dev.sluice.ingest;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DuplicateKeysTest {
    @Test
    void findsARepeatWithinOneObjectOnly() {
        DuplicateKeys keys = new DuplicateKeys();
        keys.openObject();
        assertTrue(keys.add("id"));
        assertTrue(keys.add("user"));
        keys.openObject();
        assertTrue(keys.add("id"), "an inner object has keys of its own");
        assertFalse(keys.add("id"));
        keys.closeObject();
        keys.openObject();
        assertTrue(keys.add("id"), "a sibling starts empty");
        keys.closeObject();
        assertFalse(keys.add("user"), "the outer object's keys are still there");
        assertTrue(keys.add(new String("ts")));
        assertFalse(keys.add(new String("ts")), "equal, not only the same instance");
        keys.closeObject();
    }

    @Test
    void objectsBeyondTheScanLimitAndDeepNestingKeepEveryKey() {
        DuplicateKeys keys = new DuplicateKeys();
        keys.openObject();
        int many = DuplicateKeys.SCAN_LIMIT * 3;
        for (int i = 0; i < many; i++) {
            assertTrue(keys.add("k" + i));
        }
        assertFalse(keys.add("k0"), "a key from before the set took over");
        assertFalse(keys.add("k" + (many - 1)), "a key from after");
        for (int d = 0; d < 100; d++) {
            keys.openObject();
            assertTrue(keys.add("k0"));
        }
        for (int d = 0; d < 100; d++) {
            assertFalse(keys.add("k0"));
            keys.closeObject();
        }
        assertFalse(keys.add("k1"));
        assertTrue(keys.add("k" + many));
        keys.closeObject();
        keys.openObject();
        assertTrue(keys.add("k0"), "a closed object's set is gone");
    }
}

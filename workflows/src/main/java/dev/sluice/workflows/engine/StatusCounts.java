package dev.sluice.workflows.engine;

import dev.sluice.workflows.InstanceStatus;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Instances by workflow and status in the partitions this process owns: counted by each task when it
 * starts (the same pass that finds lost executions), then kept with every transition. In memory, not a
 * store: it would cost a changelog record per status change for a figure a restart recounts anyway.
 */
final class StatusCounts {
    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

    void add(String workflow, InstanceStatus status, int partition, long delta) {
        if (status != null) {
            counts.computeIfAbsent(key(workflow, status, partition), k -> new LongAdder())
                    .add(delta);
        }
    }

    /** Forgets a partition: its task stopped here, or is about to count it again. */
    void clearPartition(int partition) {
        counts.keySet().removeIf(key -> key.endsWith("#" + partition));
    }

    double get(String workflow, InstanceStatus status) {
        String prefix = workflow + "/" + status.wireName() + "#";
        long sum = 0;
        for (Map.Entry<String, LongAdder> entry : counts.entrySet()) {
            if (entry.getKey().startsWith(prefix)) {
                sum += entry.getValue().sum();
            }
        }
        return sum;
    }

    private static String key(String workflow, InstanceStatus status, int partition) {
        return workflow + "/" + status.wireName() + "#" + partition;
    }
}

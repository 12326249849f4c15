package dev.sluice.server.admin;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/** A pipeline's last measurements, oldest first, in memory: 900 one-second samples chart 15 minutes. */
public final class StatsHistory {
    public static final int SAMPLES = 900;

    private final Deque<PipelineStats> samples = new ArrayDeque<>(SAMPLES);

    public synchronized void add(PipelineStats stats) {
        if (samples.size() == SAMPLES) {
            samples.removeFirst();
        }
        samples.addLast(stats);
    }

    public synchronized List<PipelineStats> samples() {
        return new ArrayList<>(samples);
    }
}

package dev.sluice.server;

import dev.sluice.config.PipelineConfig;
import dev.sluice.ingest.Backpressure;
import dev.sluice.server.admin.OldestRecords;
import dev.sluice.server.admin.PipelineStats;
import dev.sluice.server.admin.StatsHistory;
import dev.sluice.wire.ClientIds;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures each pipeline's backlog from Kafka offsets, about once a second, for every request to
 * read for free: records in {@code {pipeline}} not yet committed by the processor, plus records in
 * {@code {pipeline}.out} not yet committed by the sink (which commits only after an object is
 * written). Transaction markers count as records, so the figure is approximate.
 */
final class BacklogMonitor implements Backpressure.BacklogSource, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BacklogMonitor.class);

    private final Admin admin;
    private final OldestRecords oldest;
    private final List<PipelineConfig> pipelines;
    private final Map<String, StatsHistory> history = new HashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sluice-backlog-monitor");
        t.setDaemon(true);
        return t;
    });
    private volatile Map<String, Long> backlog = Map.of();
    private volatile Map<String, Long> unprocessed = Map.of();
    private volatile Map<String, PipelineStats> stats = Map.of();
    private Map<String, Integer> partitionCounts;

    /**
     * @param oldest reads when the oldest waiting records were accepted; the caller closes it after the
     *     monitor, and after {@link #awaitProcessed}, which measures too
     */
    BacklogMonitor(Admin admin, OldestRecords oldest, List<PipelineConfig> pipelines) {
        this.admin = admin;
        this.oldest = oldest;
        this.pipelines = pipelines;
        pipelines.forEach(p -> history.put(p.name(), new StatsHistory()));
    }

    BacklogMonitor start() {
        // refreshQuietly handles its own failures, so the task only ends when close() shuts the timer down.
        Future<?> unused = timer.scheduleWithFixedDelay(this::refreshQuietly, 0, 1, TimeUnit.SECONDS);
        return this;
    }

    @Override
    public long backlogRecords(String pipeline) {
        return backlog.getOrDefault(pipeline, -1L);
    }

    /** The pipeline's last measured figures; empty before the first measurement or for an unknown pipeline. */
    Optional<PipelineStats> stats(String pipeline) {
        return Optional.ofNullable(stats.get(pipeline));
    }

    /** The pipeline's measurements of the last 15 minutes, oldest first; empty for an unknown pipeline. */
    List<PipelineStats> history(String pipeline) {
        StatsHistory h = history.get(pipeline);
        return h == null ? List.of() : h.samples();
    }

    /** Records in the pipeline's topic its processor has not committed yet; -1 before the first measurement. */
    long unprocessedRecords(String pipeline) {
        return unprocessed.getOrDefault(pipeline, -1L);
    }

    /**
     * Waits until the processors have committed all input written before this call, so that a stop writes
     * what was accepted instead of leaving it for the next start. Input written later does not count: in a
     * fleet other ingest processes go on writing, and the pipeline's backlog may never be zero. Gives up
     * (and says so) after {@code timeout}.
     */
    void awaitProcessed(java.time.Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<TopicPartition, Long> writtenBefore = null;
        while (System.nanoTime() < deadline) {
            Progress now;
            try {
                now = refresh();
            } catch (Exception e) {
                log.debug("backlog refresh failed while stopping; trying again", e);
                now = null;
            }
            // Only a measurement taken in this call counts: an older one may predate ingest's last commits.
            if (now != null && writtenBefore == null) {
                writtenBefore = now.ends();
            }
            if (now != null && now.processedUpTo(writtenBefore)) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        log.warn(
                "stopping with records not yet processed {}; they are safe in Kafka and will be written after the next start",
                unprocessed);
    }

    /** Per input partition: its end offset, and the offset its processor has committed up to. */
    private record Progress(Map<TopicPartition, Long> ends, Map<TopicPartition, Long> processed) {
        boolean processedUpTo(Map<TopicPartition, Long> offsets) {
            return offsets.entrySet().stream().allMatch(e -> processed.getOrDefault(e.getKey(), 0L) >= e.getValue());
        }
    }

    private void refreshQuietly() {
        try {
            refresh();
        } catch (Exception e) {
            log.debug("backlog refresh failed; keeping the last figures", e);
        }
    }

    /** Measures once; the timer and a stopping process may both call it. */
    synchronized Progress refresh() throws Exception {
        if (partitionCounts == null) {
            List<String> topics = new ArrayList<>();
            pipelines.forEach(p -> topics.addAll(List.of(p.topic(), p.outputTopic(), p.dlqTopic())));
            Map<String, Integer> counts = new HashMap<>();
            admin.describeTopics(topics)
                    .allTopicNames()
                    .get(5, TimeUnit.SECONDS)
                    .forEach((topic, description) ->
                            counts.put(topic, description.partitions().size()));
            partitionCounts = counts;
        }
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
        Map<String, ListConsumerGroupOffsetsSpec> groups = new HashMap<>();
        Map<String, List<TopicPartition>> inputs = new HashMap<>();
        Map<String, List<TopicPartition>> outputs = new HashMap<>();
        Map<String, List<TopicPartition>> deadLetters = new HashMap<>();
        for (PipelineConfig p : pipelines) {
            List<TopicPartition> in = partitions(p.topic(), partitionCounts.get(p.topic()));
            List<TopicPartition> out = partitions(p.outputTopic(), partitionCounts.get(p.outputTopic()));
            List<TopicPartition> dlq = partitions(p.dlqTopic(), partitionCounts.getOrDefault(p.dlqTopic(), 0));
            inputs.put(p.name(), in);
            outputs.put(p.name(), out);
            deadLetters.put(p.name(), dlq);
            for (TopicPartition tp : concat(concat(in, out), dlq)) {
                latest.put(tp, OffsetSpec.latest());
                earliest.put(tp, OffsetSpec.earliest());
            }
            groups.put(
                    ClientIds.processorApplication(p.name()), new ListConsumerGroupOffsetsSpec().topicPartitions(in));
            groups.put(ClientIds.sinkGroup(p.name()), new ListConsumerGroupOffsetsSpec().topicPartitions(out));
        }
        Map<TopicPartition, ListOffsetsResultInfo> ends =
                admin.listOffsets(latest).all().get(5, TimeUnit.SECONDS);
        Map<TopicPartition, ListOffsetsResultInfo> starts =
                admin.listOffsets(earliest).all().get(5, TimeUnit.SECONDS);
        var committed = admin.listConsumerGroupOffsets(groups);
        Map<TopicPartition, Long> endOffsets = new HashMap<>();
        ends.forEach((tp, info) -> endOffsets.put(tp, info.offset()));
        Map<TopicPartition, Long> firstWaiting = new HashMap<>();
        for (PipelineConfig p : pipelines) {
            firstWaiting.putAll(from(
                    inputs.get(p.name()),
                    starts,
                    committed
                            .partitionsToOffsetAndMetadata(ClientIds.processorApplication(p.name()))
                            .get(5, TimeUnit.SECONDS)));
            firstWaiting.putAll(from(
                    outputs.get(p.name()),
                    starts,
                    committed
                            .partitionsToOffsetAndMetadata(ClientIds.sinkGroup(p.name()))
                            .get(5, TimeUnit.SECONDS)));
        }
        Map<TopicPartition, Long> waitingSince = oldest.firstTimestamps(firstWaiting, endOffsets);
        long sampledAtMillis = System.currentTimeMillis();
        long sampledAt = System.nanoTime();
        Map<String, PipelineStats> measuredStats = new HashMap<>();
        Map<String, Long> measured = new HashMap<>();
        Map<String, Long> measuredUnprocessed = new HashMap<>();
        Map<TopicPartition, Long> inputEnds = new HashMap<>();
        Map<TopicPartition, Long> inputProcessed = new HashMap<>();
        for (PipelineConfig p : pipelines) {
            Map<TopicPartition, OffsetAndMetadata> processed = committed
                    .partitionsToOffsetAndMetadata(ClientIds.processorApplication(p.name()))
                    .get(5, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetAndMetadata> written = committed
                    .partitionsToOffsetAndMetadata(ClientIds.sinkGroup(p.name()))
                    .get(5, TimeUnit.SECONDS);
            long notProcessed = lag(inputs.get(p.name()), ends, starts, processed);
            measured.put(p.name(), notProcessed + lag(outputs.get(p.name()), ends, starts, written));
            measuredUnprocessed.put(p.name(), notProcessed);
            measuredStats.put(
                    p.name(),
                    PipelineStats.measured(
                            stats.get(p.name()),
                            sampledAtMillis,
                            sampledAt,
                            total(inputs.get(p.name()), ends),
                            total(outputs.get(p.name()), ends),
                            lag(deadLetters.get(p.name()), ends, starts, null),
                            measured.get(p.name()),
                            notProcessed,
                            freshness(
                                    concat(inputs.get(p.name()), outputs.get(p.name())),
                                    waitingSince,
                                    sampledAtMillis)));
            history.get(p.name()).add(measuredStats.get(p.name()));
            for (TopicPartition tp : inputs.get(p.name())) {
                if (ends.get(tp) == null) {
                    continue;
                }
                inputEnds.put(tp, ends.get(tp).offset());
                OffsetAndMetadata done = processed == null ? null : processed.get(tp);
                inputProcessed.put(
                        tp, done != null ? done.offset() : starts.get(tp).offset());
            }
        }
        backlog = Map.copyOf(measured);
        unprocessed = Map.copyOf(measuredUnprocessed);
        stats = Map.copyOf(measuredStats);
        return new Progress(Map.copyOf(inputEnds), Map.copyOf(inputProcessed));
    }

    /** Per partition, the offset of its first record the stage has not committed: where waiting starts. */
    private static Map<TopicPartition, Long> from(
            List<TopicPartition> partitions,
            Map<TopicPartition, ListOffsetsResultInfo> starts,
            Map<TopicPartition, OffsetAndMetadata> committed) {
        Map<TopicPartition, Long> from = new HashMap<>();
        for (TopicPartition tp : partitions) {
            OffsetAndMetadata done = committed == null ? null : committed.get(tp);
            ListOffsetsResultInfo start = starts.get(tp);
            if (done != null || start != null) {
                from.put(tp, done != null ? done.offset() : start.offset());
            }
        }
        return from;
    }

    /** Seconds since the oldest of the partitions' waiting records was accepted; 0 when none waits. */
    private static double freshness(List<TopicPartition> partitions, Map<TopicPartition, Long> waitingSince, long now) {
        long oldestMillis = partitions.stream()
                .map(waitingSince::get)
                .filter(Objects::nonNull)
                .mapToLong(Long::longValue)
                .min()
                .orElse(now);
        return Math.max(0, now - oldestMillis) / 1000.0;
    }

    private static long lag(
            List<TopicPartition> partitions,
            Map<TopicPartition, ListOffsetsResultInfo> ends,
            Map<TopicPartition, ListOffsetsResultInfo> starts,
            Map<TopicPartition, OffsetAndMetadata> committed) {
        long lag = 0;
        for (TopicPartition tp : partitions) {
            ListOffsetsResultInfo end = ends.get(tp);
            if (end == null) {
                continue;
            }
            OffsetAndMetadata done = committed == null ? null : committed.get(tp);
            long from = done != null ? done.offset() : starts.get(tp).offset();
            lag += Math.max(0, end.offset() - from);
        }
        return lag;
    }

    /** The partitions' end offsets added up: every record ever written to them (and transaction markers). */
    private static long total(List<TopicPartition> partitions, Map<TopicPartition, ListOffsetsResultInfo> ends) {
        return partitions.stream()
                .map(ends::get)
                .filter(Objects::nonNull)
                .mapToLong(ListOffsetsResultInfo::offset)
                .sum();
    }

    private static List<TopicPartition> partitions(String topic, int count) {
        List<TopicPartition> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(new TopicPartition(topic, i));
        }
        return out;
    }

    private static List<TopicPartition> concat(List<TopicPartition> a, List<TopicPartition> b) {
        List<TopicPartition> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}

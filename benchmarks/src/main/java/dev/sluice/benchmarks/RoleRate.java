package dev.sluice.benchmarks;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * How fast a consumer group works through a topic filled beforehand, and what it costs: samples the
 * group's committed offsets and the CPU time of the processes doing the work, and reports the rate and
 * the cores used between 20% and 80% of the way (start-up and the last stragglers left out), as records/s
 * and cores per 100k records/s. Run by benchmarks/roles.sh.
 */
@Command(name = "role-rate")
public final class RoleRate implements Callable<Integer> {
    @Option(names = "--bootstrap", required = true)
    String bootstrap;

    @Option(names = "--group", required = true, description = "the consumer group whose progress is measured")
    String group;

    @Option(names = "--topic", required = true)
    String topic;

    @Option(names = "--pids", required = true, split = ",", description = "the processes doing the work")
    long[] pids;

    @Option(names = "--label", required = true)
    String label;

    @Option(names = "--timeout", defaultValue = "600", description = "seconds")
    long timeoutSeconds;

    public static void main(String[] args) {
        System.exit(new CommandLine(new RoleRate()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            List<TopicPartition> partitions =
                    admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().stream()
                            .map(p -> new TopicPartition(topic, p.partition()))
                            .toList();
            long total = admin
                    .listOffsets(partitions.stream().collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest())))
                    .all()
                    .get()
                    .values()
                    .stream()
                    .mapToLong(info -> info.offset())
                    .sum();
            if (total == 0) {
                System.out.printf("  %s: %s is empty; nothing to measure%n", label, topic);
                return 1;
            }
            Sample from = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
            while (System.nanoTime() < deadline) {
                Sample now = new Sample(System.nanoTime(), committed(admin), cpuNanos());
                if (from == null && now.done >= total * 0.2) {
                    from = now;
                }
                if (from != null && now.at > from.at && now.done > from.done && now.done >= total * 0.8) {
                    double seconds = (now.at - from.at) / 1e9;
                    double rate = (now.done - from.done) / seconds;
                    double cores = (now.cpu - from.cpu) / 1e9 / seconds;
                    System.out.printf(
                            "  %s: %,.0f records/s using %.2f cores = %.2f cores per 100k records/s%n",
                            label, rate, cores, cores / (rate / 100_000));
                    return 0;
                }
                Thread.sleep(100); // sampling interval
            }
            System.out.printf("  %s: did not reach 80%% of %,d records in %d s%n", label, total, timeoutSeconds);
            return 1;
        }
    }

    private record Sample(long at, long done, long cpu) {}

    private long committed(Admin admin) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata()
                .get(5, TimeUnit.SECONDS);
        return offsets.entrySet().stream()
                .filter(e -> e.getKey().topic().equals(topic) && e.getValue() != null)
                .mapToLong(e -> e.getValue().offset())
                .sum();
    }

    /** CPU time of the measured processes so far; Linux reports it for any process the user may see. */
    private long cpuNanos() {
        return Arrays.stream(pids)
                .mapToObj(pid -> ProcessHandle.of(pid)
                        .flatMap(p -> p.info().totalCpuDuration())
                        .orElseThrow(() -> new IllegalStateException("no CPU time for process " + pid)))
                .mapToLong(Duration::toNanos)
                .sum();
    }
}

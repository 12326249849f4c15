package dev.sluice.benchmarks;

import dev.sluice.config.ConfigLoader;
import dev.sluice.config.KafkaConfig;
import dev.sluice.config.PipelineConfig;
import dev.sluice.config.SluiceConfig;
import dev.sluice.processor.PipelineProcessor;
import dev.sluice.processor.TransformJars;
import dev.sluice.wire.ClientIds;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
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
 * The processor benchmark: runs a pipeline's processor (Kafka Streams, exactly_once_v2) in this JVM
 * over a topic filled beforehand, and prints how long it took until it had committed every record
 * (records/s). A warm-up pipeline of the same shape runs first, unmeasured. Run by benchmarks/processor.sh.
 */
@Command(name = "processor-drain")
public final class ProcessorDrain implements Callable<Integer> {
    @Option(names = "--config", required = true)
    Path config;

    @Option(names = "--pipeline", required = true)
    String pipeline;

    @Option(names = "--warmup-pipeline")
    String warmup;

    @Option(names = "--bootstrap", required = true)
    String bootstrap;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ProcessorDrain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        SluiceConfig loaded = ConfigLoader.load(config);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            if (warmup != null) {
                run(loaded, loaded.pipeline(warmup).orElseThrow(), admin, false);
            }
            run(loaded, loaded.pipeline(pipeline).orElseThrow(), admin, true);
        }
        return 0;
    }

    private void run(SluiceConfig loaded, PipelineConfig p, Admin admin, boolean report) throws Exception {
        List<TopicPartition> partitions =
                admin.describeTopics(List.of(p.topic())).allTopicNames().get().get(p.topic()).partitions().stream()
                        .map(i -> new TopicPartition(p.topic(), i.partition()))
                        .toList();
        Map<TopicPartition, Long> ends = new HashMap<>();
        admin.listOffsets(partitions.stream().collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest())))
                .all()
                .get()
                .forEach((tp, info) -> ends.put(tp, info.offset()));
        long records = ends.values().stream().mapToLong(Long::longValue).sum();
        Path state = Files.createTempDirectory("sluice-processor-bench");
        try (TransformJars jars = TransformJars.classpathOnly(ProcessorDrain.class.getClassLoader())) {
            PipelineProcessor processor = new PipelineProcessor(
                    p,
                    new KafkaConfig(bootstrap),
                    state,
                    "bench-" + UUID.randomUUID().toString().substring(0, 8),
                    loaded.tables(),
                    jars,
                    new SimpleMeterRegistry());
            long start = System.nanoTime();
            processor.start();
            while (!caughtUp(admin, p, ends)) {
                Thread.sleep(20); // the benchmark's polling interval, bounded by the measurement itself
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            processor.close();
            if (report) {
                System.out.printf(
                        "%s (%d transform%s, exactly_once_v2): %,d records in %.2f s = %,.0f records/s%n",
                        p.name(),
                        p.transforms().size(),
                        p.transforms().size() == 1 ? "" : "s",
                        records,
                        seconds,
                        records / seconds);
            }
        }
    }

    private static boolean caughtUp(Admin admin, PipelineConfig p, Map<TopicPartition, Long> ends) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(
                        ClientIds.processorApplication(p.name()))
                .partitionsToOffsetAndMetadata()
                .get(5, TimeUnit.SECONDS);
        return ends.entrySet().stream()
                .allMatch(e -> committed.get(e.getKey()) != null
                        && committed.get(e.getKey()).offset() >= e.getValue());
    }
}

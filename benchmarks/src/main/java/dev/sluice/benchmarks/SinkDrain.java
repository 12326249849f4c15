package dev.sluice.benchmarks;

import dev.sluice.config.ConfigLoader;
import dev.sluice.config.KafkaConfig;
import dev.sluice.config.PipelineConfig;
import dev.sluice.config.SluiceConfig;
import dev.sluice.config.StorageConfig;
import dev.sluice.sink.PipelineSink;
import dev.sluice.sink.S3Clients;
import dev.sluice.wire.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The sink drain benchmark: {@code fill} writes N records of ~200 B to a pipeline's output topic;
 * {@code drain} runs that pipeline's sink in this JVM from the start of the topic and prints how long
 * it took until every record was in a confirmed object (records/s). Run by benchmarks/sink.sh.
 */
@Command(
        name = "sink-drain",
        subcommands = {SinkDrain.Fill.class, SinkDrain.Drain.class})
public final class SinkDrain {

    public static void main(String[] args) {
        System.exit(new CommandLine(new SinkDrain()).execute(args));
    }

    @Command(
            name = "fill",
            description = "write N records of ~200 B to a pipeline's output topic (the sink's input), or with --input"
                    + " to its own topic (the processor's input)")
    static final class Fill implements Callable<Integer> {
        @Option(names = "--bootstrap", required = true)
        String bootstrap;

        @Option(names = "--pipeline", required = true)
        String pipeline;

        @Option(names = "--records", defaultValue = "1000000")
        long records;

        @Option(names = "--input", description = "fill the pipeline's own topic instead of its output topic")
        boolean input;

        @Override
        public Integer call() {
            Map<String, Object> props = Map.of(
                    "bootstrap.servers",
                    bootstrap,
                    "acks",
                    "all",
                    "linger.ms",
                    20,
                    "batch.size",
                    512 * 1024,
                    "compression.type",
                    "none");
            String topic = input ? Topics.input(pipeline) : Topics.output(pipeline);
            String[] events = {"view", "click", "add_to_cart", "purchase"};
            long base = Instant.now().toEpochMilli();
            AtomicReference<Exception> failed = new AtomicReference<>();
            try (KafkaProducer<byte[], byte[]> producer =
                    new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
                for (long i = 0; i < records; i++) {
                    String json = "{\"id\":\"" + UUID.randomUUID() + "\",\"user\":\"u" + (i % 50_000)
                            + "\",\"event\":\"" + events[(int) (i % 4)] + "\",\"ts\":\""
                            + Instant.ofEpochMilli(base + i / 100)
                            + "\",\"amount\":" + (i % 10_000) / 100.0 + ",\"page\":\"/products/" + (i % 2_000)
                            + "\",\"ua\":\"Mozilla/5.0 (X11; Linux x86_64) Sluice/" + (i % 7) + "\"}";
                    // flush() does not fail when a send did, so the callback keeps the first failure.
                    Future<?> unused = producer.send(
                            new ProducerRecord<>(topic, json.getBytes(StandardCharsets.UTF_8)), (metadata, error) -> {
                                if (error != null) {
                                    failed.compareAndSet(null, error);
                                }
                            });
                }
                producer.flush();
            }
            if (failed.get() != null) {
                System.out.printf("filling %s failed: %s%n", topic, failed.get());
                return 1;
            }
            System.out.printf("filled %s with %,d records%n", topic, records);
            return 0;
        }
    }

    @Command(name = "drain", description = "run a pipeline's sink until N records are written; print records/s")
    static final class Drain implements Callable<Integer> {
        @Option(names = "--config", required = true)
        Path config;

        @Option(names = "--pipeline", required = true)
        String pipeline;

        @Option(names = "--bootstrap", required = true)
        String bootstrap;

        @Option(names = "--s3-endpoint", required = true)
        String endpoint;

        @Option(names = "--access-key", defaultValue = "sluice")
        String accessKey;

        @Option(names = "--secret-key", defaultValue = "sluice-dev-secret")
        String secretKey;

        @Option(names = "--records", defaultValue = "1000000")
        long records;

        @Option(names = "--warmup-pipeline", description = "drain this pipeline first (unmeasured), so the JVM is warm")
        String warmupPipeline;

        @Option(names = "--warmup-records", defaultValue = "200000")
        long warmupRecords;

        @Override
        public Integer call() throws Exception {
            SluiceConfig loaded = ConfigLoader.load(config);
            if (warmupPipeline != null) {
                drain(loaded.pipeline(warmupPipeline).orElseThrow(), warmupRecords, false);
            }
            drain(loaded.pipeline(pipeline).orElseThrow(), records, true);
            return 0;
        }

        private void drain(PipelineConfig p, long records, boolean report) throws Exception {
            AtomicLong written = new AtomicLong();
            AtomicLong objects = new AtomicLong();
            AtomicLong bytes = new AtomicLong();
            List<long[]> confirmations = Collections.synchronizedList(new ArrayList<>()); // {nanos, records so far}
            Path work = Files.createTempDirectory("sluice-drain");
            try (S3Client s3 = S3Clients.create(new StorageConfig(endpoint, null, accessKey, secretKey))) {
                PipelineSink sink = new PipelineSink(
                        p,
                        new KafkaConfig(bootstrap),
                        s3,
                        "bench",
                        work,
                        "bench-" + UUID.randomUUID().toString().substring(0, 8),
                        new SimpleMeterRegistry(),
                        w -> {
                            confirmations.add(new long[] {System.nanoTime(), written.addAndGet(w.records())});
                            objects.incrementAndGet();
                            bytes.addAndGet(w.size());
                        });
                long start = System.nanoTime();
                sink.start();
                while (written.get() < records) {
                    Thread.sleep(5); // a benchmark's polling interval, bounded by the measurement itself
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                sink.close();
                if (!report) {
                    return;
                }
                System.out.printf(
                        "%s (%s %s): %,d records in %,d objects (%,d bytes) in %.2f s = %,.0f records/s%n",
                        p.name(),
                        p.sink().format().yamlName(),
                        p.sink().compression().yamlName() + " level " + p.sink().compressionLevel(),
                        written.get(),
                        objects.get(),
                        bytes.get(),
                        seconds,
                        written.get() / seconds);
                if (confirmations.size() > 2) {
                    long[] first = confirmations.get(0);
                    long[] last = confirmations.get(confirmations.size() - 1);
                    System.out.printf(
                            "  first object confirmed after %.2f s; from then on %,.0f records/s%n",
                            (first[0] - start) / 1e9, (last[1] - first[1]) / ((last[0] - first[0]) / 1e9));
                }
            }
        }
    }
}

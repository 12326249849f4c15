package dev.sluice.processor;

import dev.sluice.config.KafkaConfig;
import dev.sluice.config.PipelineConfig;
import dev.sluice.config.TableConfig;
import dev.sluice.health.RestartBudget;
import dev.sluice.wire.ClientIds;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka Streams application of one pipeline ({@code application.id = sluice-{pipeline}-processor}),
 * with exactly_once_v2: a record's outputs and its input offset commit together or not at all. It runs
 * for every pipeline, transforms or not, because it is where records written to Kafka directly are
 * checked before they can reach storage.
 */
public final class PipelineProcessor implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PipelineProcessor.class);

    private final PipelineConfig pipeline;
    private final KafkaStreams streams;

    /**
     * @param instanceId this process's stable id: the processor's static group membership, so that a
     *                   restarted process takes its partitions back at once instead of the group waiting
     *                   out the dead member's session
     * @param tables   the lookup tables transforms may read
     * @param jars     where transform classes come from
     * @param registry where per-transform metrics go
     */
    public PipelineProcessor(
            PipelineConfig pipeline,
            KafkaConfig kafka,
            Path stateDir,
            String instanceId,
            List<TableConfig> tables,
            TransformJars jars,
            MeterRegistry registry) {
        this.pipeline = pipeline;
        Properties props = new Properties();
        props.putAll(kafka.clientProperties());
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, ClientIds.processorApplication(pipeline.name()));
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
        // Records are small and many: 256 KB producer batches halve the per-record cost of producing
        // (measured with Kafka's ProducerPerformance on the benchmark box: 284k -> 519k records/s).
        props.put(StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG), 256 * 1024);
        props.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 5);
        // Streams gives a processor without persistent stores a new process id, hence new transactional ids,
        // at every start: a restarted processor cannot fence its crashed predecessor's open transaction, which
        // holds the sink (read_committed) until it times out. Its transactions last ~100 ms (the EOS commit
        // interval); 5 s instead of Streams' 10 s halves that wait.
        props.put(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG), 5_000);
        // Static membership (Streams appends each thread's index): a restarted process rejoins as the same
        // member without a rebalance; a process gone for good hands its partitions over after 10 s.
        props.put(
                StreamsConfig.consumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG),
                ClientIds.processorMember(pipeline.name(), instanceId));
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 10_000);
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), 1_000);
        // Also the group's rebalance timeout: a process killed while its group rebalances can stay a member (its
        // join is parked at the coordinator) until that times out, then its session. 2 minutes, not Streams'
        // 5; a thread still polls well within it, even when a commit waits out a minute without brokers.
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG), 120_000);
        enableGlobalProcessingExceptionHandler(props);
        this.streams = new KafkaStreams(PipelineTopology.build(pipeline, tables, jars, registry), props);
        // A thread can die of what a broker's death throws at it; its tasks move to a new thread and, with
        // exactly-once, start again from their last commit. Failing again and again is left to /healthz.
        RestartBudget restarts = new RestartBudget(5, Duration.ofMinutes(10), Clock.systemUTC());
        streams.setUncaughtExceptionHandler(e -> {
            if (OnErrorFail.isCauseOf(e)) {
                return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse
                        .SHUTDOWN_CLIENT; // logged where thrown
            }
            if (restarts.tryRestart()) {
                log.error("pipeline {}: a processor thread failed; starting another", pipeline.name(), e);
                return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
            }
            log.error("pipeline {}: processor stopped, its threads failed more than {}", pipeline.name(), restarts, e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
    }

    /**
     * Kafka 5.0's default; opting in now keeps behaviour the same across the upgrade (the key is deprecated because
     * 5.0 removes it). Streams' partition assignor reads its settings from the main consumer's configs, which do not
     * carry this one, and warns at every start that it is off unless it comes with the main consumer's prefix too.
     */
    @SuppressWarnings("deprecation")
    private static void enableGlobalProcessingExceptionHandler(Properties props) {
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        props.put(
                StreamsConfig.mainConsumerPrefix(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG),
                true);
    }

    public void start() {
        streams.start();
    }

    /** Null while the processor runs (or is starting or rebalancing); else why it does not. */
    public String problem() {
        KafkaStreams.State state = streams.state();
        return state.isRunningOrRebalancing() || state == KafkaStreams.State.CREATED
                ? null
                : "the processor of pipeline " + pipeline.name() + " is "
                        + state.name().toLowerCase(Locale.ROOT);
    }

    @Override
    public void close() {
        // Leave the group: Streams stays in it by default so that a quick restart keeps its tasks, but
        // then a new instance waits out the old member's session (45 s) before it processes anything.
        if (!streams.close(CloseOptions.timeout(Duration.ofSeconds(30))
                .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP))) {
            log.warn("pipeline {}: processor did not stop within 30 s", pipeline.name());
        }
    }
}

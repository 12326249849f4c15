package dev.sluice.workflows.engine;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import dev.sluice.config.ConfigException;
import dev.sluice.config.WorkflowConfig;
import dev.sluice.workflows.Trigger;
import dev.sluice.workflows.internal.StepValues;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts one instance per tick of each workflow's {@code schedule} (five-field cron, UTC). Every process
 * with the workflows role sends the tick's create; its id is derived from the tick
 * ({@code cron-yyyyMMddHHmm}), so the engine keeps exactly one. Ticks that pass while no process runs
 * are not made up.
 */
final class CronTrigger implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CronTrigger.class);
    private static final CronParser PARSER = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
    private static final DateTimeFormatter ID =
            DateTimeFormatter.ofPattern("'cron-'yyyyMMddHHmm").withZone(ZoneOffset.UTC);

    private record Schedule(String workflow, ExecutionTime times) {}

    private final List<Schedule> schedules = new ArrayList<>();
    private final WorkflowEngine engine;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sluice-workflow-cron");
        t.setDaemon(true);
        return t;
    });

    CronTrigger(List<WorkflowConfig> workflows, WorkflowEngine engine) {
        this.engine = engine;
        for (int i = 0; i < workflows.size(); i++) {
            WorkflowConfig workflow = workflows.get(i);
            String expression = workflow.trigger().schedule();
            if (expression != null) {
                schedules.add(
                        new Schedule(workflow.name(), parse(expression, "workflows[" + i + "].trigger.schedule")));
            }
        }
    }

    static ExecutionTime parse(String expression, String key) {
        try {
            return ExecutionTime.forCron(PARSER.parse(expression));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(
                    key,
                    "'" + expression + "' is not a five-field cron expression (minute hour day month weekday, UTC): "
                            + e.getMessage());
        }
    }

    void start() {
        for (Schedule schedule : schedules) {
            scheduleNext(schedule, ZonedDateTime.now(ZoneOffset.UTC));
        }
    }

    private void scheduleNext(Schedule schedule, ZonedDateTime after) {
        schedule.times().nextExecution(after).ifPresent(tick -> {
            long delay = Math.max(0, tick.toInstant().toEpochMilli() - System.currentTimeMillis());
            // Not kept: fire logs what fails, and close() drops the pending tick with the timer.
            Future<?> unused = timer.schedule(() -> fire(schedule, tick), delay, TimeUnit.MILLISECONDS);
        });
    }

    private void fire(Schedule schedule, ZonedDateTime tick) {
        Instant at = tick.toInstant();
        var payload = StepValues.JSON.createObjectNode().put("scheduledTime", at.toString());
        CompletableFuture<Void> created;
        try {
            created = engine.create(schedule.workflow(), ID.format(at), payload, Trigger.CRON);
        } catch (RuntimeException e) {
            // Not even sent (e.g. the engine is stopping): this schedule sets no further tick.
            log.warn(
                    "workflow {}: could not send the instance of the tick at {}; its schedule stops",
                    schedule.workflow(),
                    at,
                    e);
            return;
        }
        // The callback logs a create that Kafka did not take.
        Future<?> unused = created.whenComplete((ok, error) -> {
            if (error != null) {
                log.warn(
                        "workflow {}: could not start the instance of the tick at {}: {}",
                        schedule.workflow(),
                        at,
                        error.toString());
            }
        });
        scheduleNext(schedule, tick);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}

package dev.sluice.workflows.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.config.WorkflowConfig;
import dev.sluice.workflows.Trigger;
import dev.sluice.workflows.internal.StepValues;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns each object notification into a create command for every workflow triggered by the object's
 * pipeline. The instance id is the object's ULID, so a notification delivered twice creates nothing
 * the second time.
 */
final class NotificationTrigger implements Processor<String, byte[], String, byte[]> {
    private static final Logger log = LoggerFactory.getLogger(NotificationTrigger.class);

    private final List<WorkflowConfig> workflows;
    private final Set<TaskId> readyTasks;
    private ProcessorContext<String, byte[]> context;

    /** @param readyTasks where this task says it runs (it has no state to restore) */
    NotificationTrigger(List<WorkflowConfig> workflows, Set<TaskId> readyTasks) {
        this.workflows = workflows.stream()
                .filter(w -> w.trigger().notifications() != null)
                .toList();
        this.readyTasks = readyTasks;
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        readyTasks.add(context.taskId());
    }

    @Override
    public void close() {
        readyTasks.remove(context.taskId());
    }

    @Override
    public void process(Record<String, byte[]> record) {
        JsonNode notification;
        try {
            notification = StepValues.JSON.readTree(record.value());
        } catch (IOException | RuntimeException e) {
            log.warn("skipping an unreadable notification {}: {}", record.key(), e.getMessage());
            return;
        }
        String pipeline = notification.path("pipeline").asText();
        String objectKey = notification.path("object").path("key").asText();
        if (objectKey.isEmpty()) {
            return;
        }
        String id = instanceId(objectKey);
        for (WorkflowConfig workflow : workflows) {
            if (workflow.trigger().notifications().pipeline().equals(pipeline)) {
                Command create = Command.create(workflow.name(), id, notification, Trigger.EVENT, null);
                context.forward(
                        new Record<>(WorkflowTopics.key(workflow.name(), id), create.toBytes(), record.timestamp()));
            }
        }
    }

    /** The object's file name without extensions: its ULID for objects Sluice writes. */
    static String instanceId(String objectKey) {
        String file = objectKey.substring(objectKey.lastIndexOf('/') + 1);
        int dot = file.indexOf('.');
        return dot > 0 ? file.substring(0, dot) : file;
    }
}

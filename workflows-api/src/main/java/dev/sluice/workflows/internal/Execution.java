package dev.sluice.workflows.internal;

import dev.sluice.workflows.Workflow;
import dev.sluice.workflows.WorkflowEvent;
import java.util.function.LongSupplier;

/** Runs an instance's {@code run} once against its history, up to the next thing to record. */
public final class Execution {
    private Execution() {}

    public static Outcome execute(
            Workflow workflow, WorkflowEvent event, History history, LongSupplier clock, Replay.BodyWrapper bodies) {
        Replay replay = new Replay(
                event.instanceId(), history, clock, workflow.getClass().getClassLoader(), bodies);
        Outcome outcome;
        try {
            Object output = workflow.run(event, replay);
            outcome = replay.suspendedAt() != null
                    ? replay.suspendedAt()
                    : new Outcome.Completed(clock.getAsLong(), StepValues.toJson(output));
        } catch (Suspend s) {
            outcome = s.outcome;
        } catch (NonDeterminismError e) {
            outcome = new Outcome.Errored(clock.getAsLong(), new ErrorInfo("NonDeterminismError", e.getMessage()));
        } catch (Exception | StackOverflowError | AssertionError e) {
            outcome = replay.suspendedAt() != null
                    ? replay.suspendedAt()
                    : new Outcome.Errored(clock.getAsLong(), ErrorInfo.of(e));
        }
        return outcome;
    }
}

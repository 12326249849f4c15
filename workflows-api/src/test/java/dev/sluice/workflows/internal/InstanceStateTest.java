package dev.sluice.workflows.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.sluice.workflows.InstanceStatus;
import dev.sluice.workflows.StepOptions;
import dev.sluice.workflows.Trigger;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The transitions the engine persists: fencing by token, timers, pause and redispatch after a lost execution. */
class InstanceStateTest {
    private static final StepValue ONE = new StepValue(Integer.class.getName(), JsonNodeFactory.instance.numberNode(1));

    private static InstanceState started(List<Effect> into) {
        InstanceState state =
                InstanceState.create("wf", "i-1", JsonNodeFactory.instance.objectNode(), Trigger.API, null, 1_000);
        into.addAll(state.start(1_000));
        return state;
    }

    private static String token(List<Effect> effects) {
        return effects.stream()
                .filter(e -> e instanceof Effect.Dispatch)
                .map(e -> ((Effect.Dispatch) e).token())
                .reduce((a, b) -> b)
                .orElseThrow();
    }

    private static Outcome step(String id, int attempt) {
        return new Outcome.StepSucceeded(
                id, id.substring(0, id.indexOf('#')), StepOptions.DEFAULTS, attempt, 1_000, 1_001, ONE);
    }

    @Test
    void anOutcomeIsTakenOnlyWithTheCurrentTokenAndOnlyOnce() {
        List<Effect> effects = new ArrayList<>();
        InstanceState state = started(effects);
        String first = token(effects);
        assertEquals(List.of(), state.onOutcome("stale", step("a#0", 1), 1_100));
        List<Effect> taken = state.onOutcome(first, step("a#0", 1), 1_100);
        assertInstanceOf(Effect.PutResult.class, taken.get(0));
        String second = token(taken);
        assertNotEquals(first, second);
        assertEquals(
                List.of(), state.onOutcome(first, step("a#0", 1), 1_200), "a result delivered twice is taken once");
        assertEquals(1, state.steps().size());
    }

    @Test
    void aLostExecutionRunsAgainUnderTheSameTokenSoTheFirstOutcomeWins() {
        List<Effect> effects = new ArrayList<>();
        InstanceState state = started(effects);
        String token = token(effects);
        assertEquals(List.of(new Effect.Dispatch(token)), state.redispatch(2_000));
        // The lost execution's outcome was in the topic after all: it is taken, with its own due time.
        List<Effect> slept = state.onOutcome(token, new Outcome.SleepRequested("nap#0", "nap", 1_500, 6_500), 2_100);
        assertEquals(List.of(new Effect.SetTimer(6_500)), slept);
        // The re-run asks for the same sleep from a later start: ignored, the token moved on.
        assertEquals(
                List.of(), state.onOutcome(token, new Outcome.SleepRequested("nap#0", "nap", 2_050, 7_050), 2_200));
        assertEquals(InstanceStatus.WAITING, state.status());
        assertEquals(List.of(), state.onTimer(7_050, 7_100), "not this instance's timer");
        List<Effect> woke = state.onTimer(6_500, 6_600);
        assertInstanceOf(Effect.Dispatch.class, woke.get(0));
        assertEquals(6_600L, state.steps().get(0).end());
    }

    @Test
    void pauseWhileAStepRunsWaitsForTheBoundary() {
        List<Effect> effects = new ArrayList<>();
        InstanceState state = started(effects);
        String token = token(effects);
        state.pause(1_050);
        assertEquals(InstanceStatus.WAITING_FOR_PAUSE, state.status());
        List<Effect> after = state.onOutcome(token, step("a#0", 1), 1_100);
        assertEquals(InstanceStatus.PAUSED, state.status());
        assertTrue(after.stream().noneMatch(e -> e instanceof Effect.Dispatch), "no next step while paused");
        List<Effect> resumed = state.resume(1_200);
        assertInstanceOf(Effect.Dispatch.class, resumed.get(0));
        assertEquals(InstanceStatus.RUNNING, state.status());
    }

    @Test
    void terminateCancelsTheExecutionAndTheTimerAndEndsForGood() {
        List<Effect> effects = new ArrayList<>();
        InstanceState state = started(effects);
        String token = token(effects);
        state.onOutcome(token, new Outcome.WaitRequested("w#0", "w", 1_000, "go", 60_000), 1_100);
        List<Effect> ended = state.terminate(1_200);
        assertTrue(ended.contains(new Effect.CancelTimer(60_000)), ended.toString());
        assertTrue(ended.contains(new Effect.Finished(InstanceStatus.TERMINATED)), ended.toString());
        assertEquals(List.of(), state.onEvent("go", null, 1_300));
        assertEquals(List.of(), state.onTimer(60_000, 60_001));
        assertEquals(InstanceStatus.TERMINATED, state.status());
    }
}

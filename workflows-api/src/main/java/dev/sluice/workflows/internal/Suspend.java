package dev.sluice.workflows.internal;

/**
 * Unwinds {@code run} once the replay reached something not yet recorded. An Error, not an
 * Exception, so that a workflow's {@code catch (Exception e)} does not swallow it.
 */
final class Suspend extends Error {
    final Outcome outcome;

    Suspend(Outcome outcome) {
        super(null, null, false, false);
        this.outcome = outcome;
    }
}

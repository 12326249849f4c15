package dev.sluice.workflows.internal;

/**
 * The replay asked for another kind of operation under a recorded step identity: the code changed, or
 * control flow outside steps is not deterministic. Errors the instance. An Error so that user code's
 * {@code catch (Exception e)} does not hide it.
 */
public final class NonDeterminismError extends Error {
    NonDeterminismError(String message) {
        super(message, null, false, false);
    }
}

package dev.sluice.processor;

/**
 * A transform whose {@code onError} is {@code fail} threw: the processor stops for good, as configured, rather
 * than being restarted onto the same record.
 */
final class OnErrorFail extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    OnErrorFail(String message, Throwable cause) {
        super(message, cause);
    }

    /** Whether {@code e} is, or was caused by, one of these. */
    static boolean isCauseOf(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof OnErrorFail) {
                return true;
            }
        }
        return false;
    }
}

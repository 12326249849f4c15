package dev.sluice.workflows.internal;

/** An error as the REST API shows it: the exception's simple class name and its message. */
public record ErrorInfo(String name, String message) {

    public static ErrorInfo of(Throwable e) {
        String message = e.getMessage() != null ? e.getMessage() : e.getClass().getName();
        return new ErrorInfo(e.getClass().getSimpleName(), message);
    }
}

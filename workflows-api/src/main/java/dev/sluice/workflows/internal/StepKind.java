package dev.sluice.workflows.internal;

/** The kinds of durable operation a step identity can be recorded as. */
public enum StepKind {
    STEP("step"),
    SLEEP("sleep"),
    WAIT_FOR_EVENT("waitForEvent"),
    WORKFLOW("workflow");

    private final String wireName;

    StepKind(String wireName) {
        this.wireName = wireName;
    }

    /** The step {@code type} in the REST API. */
    public String wireName() {
        return wireName;
    }

    /** How a user asks for it, for the message when a replay asks for another kind. */
    String call() {
        return switch (this) {
            case STEP -> "step.run";
            case SLEEP -> "step.sleep";
            case WAIT_FOR_EVENT -> "step.waitForEvent";
            case WORKFLOW -> "step.runWorkflow";
        };
    }
}

package dev.sluice.workflows;

/**
 * Durable user code: Sluice runs {@link #run} once per instance (started by an object notification,
 * a REST call or a schedule) and persists every step, so that a crash, a redeploy or a week-long sleep
 * resumes where the instance left off.
 *
 * <pre>{@code
 * public final class CountRows implements Workflow {
 *     public Object run(WorkflowEvent event, WorkflowStep step) {
 *         String key = event.payload().path("object").path("key").asText();
 *         long rows = step.run("count rows", () -> countRows(key));
 *         step.sleep("cool down", Duration.ofMinutes(5));
 *         step.run("report", () -> report(key, rows));
 *         return rows;                       // the instance's output
 *     }
 * }
 * }</pre>
 *
 * <p>{@code run} is replayed from the top every time the instance resumes: a step already recorded
 * returns its recorded result without running again. So code outside steps must be deterministic
 * (no clock, random numbers or I/O there: put them in a step), and side effects belong inside steps.
 * One object serves every instance of its workflow in a process and {@code run} is called from several
 * threads at once: keep per-instance state in local variables.
 *
 * <p>Test a workflow without Kafka with {@link WorkflowTestDriver}.
 */
public interface Workflow extends AutoCloseable {

    /** Called once before the first instance runs, with the workflow's name and its {@code config}. */
    default void open(WorkflowContext context) throws Exception {}

    /**
     * The instance's code. Its return value (anything Jackson can write, or null) becomes the instance's
     * output; an exception that escapes makes the instance {@code errored}.
     */
    Object run(WorkflowEvent event, WorkflowStep step) throws Exception;

    /** Called once when Sluice stops. */
    @Override
    default void close() throws Exception {}
}

/**
 * The API a durable workflow is written against: implement {@link dev.sluice.workflows.Workflow}, do
 * the work in steps of {@link dev.sluice.workflows.WorkflowStep} (each result persisted, retried per
 * {@link dev.sluice.workflows.StepOptions}), sleep and wait for events without holding a thread, and
 * test it with {@link dev.sluice.workflows.WorkflowTestDriver} in virtual time — no Kafka types.
 *
 * <pre>{@code
 * public final class Welcome implements Workflow {
 *     public Object run(WorkflowEvent event, WorkflowStep step) {
 *         String user = step.run("create account", () -> accounts.create(event.payload()));
 *         step.sleep("wait a day", Duration.ofDays(1));
 *         return step.run("send email", () -> mail.welcome(user));
 *     }
 * }
 * }</pre>
 *
 * {@code dev.sluice.workflows.internal} is the engine's shared replay code, not API.
 */
package dev.sluice.workflows;

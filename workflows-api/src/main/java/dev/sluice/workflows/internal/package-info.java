/**
 * Not API: the replay and state transitions the engine and {@link dev.sluice.workflows.WorkflowTestDriver}
 * share, so that a workflow tested in virtual time replays exactly as it will in the engine. May change
 * in any release.
 */
package dev.sluice.workflows.internal;

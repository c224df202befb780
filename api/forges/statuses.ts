import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { ApiDeps } from '../deps';
import { forgeCommitStatus, type ForgeCommitStatusInput } from '../../workflows/forge-status';

/** The run's web page (the UI's route), what a commit status links to. */
export const runPageUrl = (publicUrl: string, project: string, runId: string) =>
  `${publicUrl}/projects/${encodeURIComponent(project)}/runs/${runId}`;

/**
 * Starts the workflow that posts the commit status (one per run, or per commit and file for a
 * status known at once). Starting it twice (a redelivered webhook) is a no-op.
 */
export async function startCommitStatus(
  deps: Pick<ApiDeps, 'client' | 'config'>,
  workflowId: string,
  input: ForgeCommitStatusInput,
): Promise<void> {
  try {
    await deps.client.workflow.start(forgeCommitStatus, {
      taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
      workflowId: `forge-status:${workflowId}`.slice(0, 255),
      args: [input],
      staticSummary: `${input.context} on ${input.sha.slice(0, 12)}`,
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}

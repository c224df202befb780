import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { ApiDeps } from '../deps';
import { runPageUrl } from '../../contract';
import type { Run } from '../../generated/prisma/client';
import type { TriggerContext } from '../../pipeline';
import { forgeCommitStatus, type ForgeCommitStatusInput } from '../../workflows/forge-status';

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

/** The status of a run of a connected repository (its trigger names the repository and commit). */
export async function startRunStatus(
  deps: Pick<ApiDeps, 'client' | 'config'>,
  target: { forgeRepositoryId: string; sha: string; project: string; pipeline: string },
  run: Run,
  note = 'queued',
): Promise<void> {
  await startCommitStatus(deps, run.id, {
    forgeRepositoryId: target.forgeRepositoryId,
    sha: target.sha,
    context: `containerops/${target.pipeline}`,
    runId: run.id,
    targetUrl: runPageUrl(deps.config.publicUrl, target.project, run.id),
    description: `run #${run.number} ${note}`,
  });
}

/** A rerun through the API of a connected repository's run reports on the same commit. */
export async function startRerunStatus(
  deps: Pick<ApiDeps, 'client' | 'config' | 'db'>,
  project: { id: string; name: string },
  pipeline: string,
  run: Run,
): Promise<void> {
  const trigger = (run.triggerInfo ?? {}) as unknown as TriggerContext;
  if (!trigger.file || !trigger.repository || !trigger.sha) return;
  const repo = await deps.db.forgeRepository.findUnique({
    where: { projectId_repository: { projectId: project.id, repository: trigger.repository } },
  });
  if (!repo) return;
  await startRunStatus(
    deps,
    { forgeRepositoryId: repo.id, sha: trigger.sha, project: project.name, pipeline },
    run,
  );
}

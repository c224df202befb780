import { proxyActivities } from '@temporalio/workflow';
import type { createForgeStatusActivities, CommitStatusTarget } from '../activities/forge-status';

type Activities = ReturnType<typeof createForgeStatusActivities>;

// A forge outage delays the status, never loses it: retried for up to a day, backing off to 10 min.
const { postCommitStatus } = proxyActivities<Activities>({
  startToCloseTimeout: '1m',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '10m' },
  scheduleToCloseTimeout: '24h',
});

const { awaitRunEnd } = proxyActivities<Activities>({
  startToCloseTimeout: '30d',
  heartbeatTimeout: '1m',
  retry: { initialInterval: '5s', maximumInterval: '1m' },
});

export interface ForgeCommitStatusInput extends CommitStatusTarget {
  context: string;
  /** the run whose end decides the final state; absent for a status known at once */
  runId?: string;
  targetUrl?: string;
  /** with a run: the pending description; without one: the final status */
  state?: 'pending' | 'success' | 'failure' | 'error';
  description: string;
}

const END_STATE = { succeeded: 'success', failed: 'failure' } as const;

/**
 * A run's commit status on its forge: pending when queued, then success / failure / error when
 * the run ends. Its own small workflow beside the run's, so the run's history is unchanged.
 */
export async function forgeCommitStatus(input: ForgeCommitStatusInput): Promise<void> {
  const target = { forgeRepositoryId: input.forgeRepositoryId, sha: input.sha };
  const base = { context: input.context, targetUrl: input.targetUrl };
  if (!input.runId) {
    await postCommitStatus(target, {
      ...base,
      state: input.state ?? 'error',
      description: input.description,
    });
    return;
  }
  await postCommitStatus(target, { ...base, state: 'pending', description: input.description });
  const end = await awaitRunEnd(input.runId);
  const state = end.status in END_STATE ? END_STATE[end.status as keyof typeof END_STATE] : 'error';
  await postCommitStatus(target, { ...base, state, description: `run #${end.number} ${end.status}` });
}

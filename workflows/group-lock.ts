import {
  CancellationScope,
  condition,
  getExternalWorkflowHandle,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { enqueueInGroup } from './activities';
import { grantSignal, releaseSignal } from './concurrency-group';
import type { RunConcurrency } from '../contract';

/**
 * Waits for this run's turn in its concurrency group. Throws a cancellation when the run is
 * cancelled while waiting (it then leaves the queue).
 */
export async function acquireGroup(runId: string, concurrency: RunConcurrency): Promise<void> {
  let granted = false;
  setHandler(grantSignal, () => {
    granted = true;
  });
  const workflowId = workflowInfo().workflowId;
  try {
    await enqueueInGroup({
      groupWorkflowId: concurrency.workflowId,
      entry: { workflowId, runId, cancelInProgress: concurrency.cancelInProgress },
    });
    await condition(() => granted);
  } catch (err) {
    await CancellationScope.nonCancellable(() => releaseGroup(concurrency));
    throw err;
  }
}

/** Gives the group to the next run (or leaves the queue); a group that already ended is fine. */
export async function releaseGroup(concurrency: RunConcurrency): Promise<void> {
  await getExternalWorkflowHandle(concurrency.workflowId)
    .signal(releaseSignal, workflowInfo().workflowId)
    .catch(() => undefined);
}

import {
  ChildWorkflowCancellationType,
  executeChild,
  ParentClosePolicy,
  proxyActivities,
  workflowInfo,
} from '@temporalio/workflow';
import { searchAttributes } from '../contract/search-attributes';
import type { createActivities } from '../activities';
import { pipelineRun } from './pipelineRun';

type Activities = ReturnType<typeof createActivities>;

const { prepareScheduledRun } = proxyActivities<Activities>({
  startToCloseTimeout: '1m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 20 },
});

/**
 * What a pipeline's Temporal Schedule starts: creates the run (trigger `schedule`) and runs it as
 * a child, so the schedule's overlap policy sees the run while it lasts.
 */
export async function scheduledRun(input: { scheduleId: string }): Promise<void> {
  const prepared = await prepareScheduledRun({
    scheduleId: input.scheduleId,
    workflowId: workflowInfo().workflowId,
  });
  if (!prepared) return; // the schedule was deleted with its pipeline version
  await executeChild(pipelineRun, {
    workflowId: prepared.workflowId,
    args: [prepared.input],
    typedSearchAttributes: [
      { key: searchAttributes.project, value: prepared.input.project },
      { key: searchAttributes.pipeline, value: prepared.input.pipeline },
      { key: searchAttributes.trigger, value: 'schedule' },
      { key: searchAttributes.status, value: 'queued' },
    ],
    memo: prepared.memo,
    staticSummary: prepared.summary,
    staticDetails: prepared.details,
    // the run goes on (and records its end) even if the schedule cancels or terminates this workflow
    parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
    cancellationType: ChildWorkflowCancellationType.WAIT_CANCELLATION_COMPLETED,
  });
}

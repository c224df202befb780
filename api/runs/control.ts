import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { ExecutionPlan } from '../../pipeline';
import type { Db } from '../../lib/db';
import { conflict, HttpError } from '../../lib/errors';
import { approvalUpdate } from '../../workflows/messages';
import {
  TERMINAL_RUN_STATUSES,
  type ApprovalInput,
  type PipelineRunInput,
  type RunStatus,
  type StepState,
} from '../../contract';
import type { Run } from '../../generated/prisma/client';

const isTerminal = (status: string) => TERMINAL_RUN_STATUSES.includes(status as RunStatus);

/** How long a cancel waits for Temporal before answering 503 (the SDK alone retries for ~20 s). */
export const CANCEL_DEADLINE_MS = 5000;

/**
 * Cancellation is workflow cancellation: running steps are stopped, then `finally` steps run.
 * It is accepted (202) only once Temporal has recorded it; when Temporal is unreachable the
 * caller gets a prompt 503 and knows to retry, so no accepted cancel is ever lost.
 */
export async function cancelRun(client: Client, run: Run): Promise<void> {
  if (isTerminal(run.status)) throw conflict(`run #${run.number} is already ${run.status}`);
  try {
    await client.withDeadline(Date.now() + CANCEL_DEADLINE_MS, () =>
      client.workflow.getHandle(run.workflowId).cancel(),
    );
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw conflict(`run #${run.number} is no longer running`);
    throw new HttpError(
      503,
      'Service Unavailable',
      'Temporal did not record the cancel; nothing changed, try again',
    );
  }
}

/**
 * What a rerun from `failed` reuses: every step that succeeded in the earlier run (all its
 * matrix combinations), with its outputs. Everything else runs again.
 */
export async function reusableSteps(
  db: Db,
  run: Run,
  plan: ExecutionPlan,
): Promise<PipelineRunInput['reuse']> {
  const rows = await db.stepRun.findMany({ where: { runId: run.id } });
  const reuse: NonNullable<PipelineRunInput['reuse']> = {};
  for (const node of plan.nodes) {
    if (node.kind === 'approval') continue; // a decision is not an output: ask again
    const stepRows = rows.filter((r) => r.stepId === node.id);
    if (stepRows.length === 0 || !stepRows.every((r) => r.status === 'succeeded')) continue;
    reuse[node.id] = {
      outputs: Object.assign({}, ...stepRows.map((r) => (r.outputs ?? {}) as Record<string, string>)),
    };
  }
  return reuse;
}

export function assertRerunnable(run: Run, from: 'failed' | 'start'): void {
  if (!isTerminal(run.status))
    throw conflict(`run #${run.number} is still ${run.status}; cancel it or wait for it to finish`);
  if (from === 'failed' && run.status === 'succeeded')
    throw conflict(`run #${run.number} succeeded: nothing failed to rerun`);
}

/** Sends a decision to a waiting approval step; the workflow's validator refuses anything else. */
export async function decideApproval(client: Client, run: Run, input: ApprovalInput): Promise<StepState> {
  if (isTerminal(run.status)) throw conflict(`run #${run.number} is already ${run.status}`);
  try {
    return await client.workflow.getHandle(run.workflowId).executeUpdate(approvalUpdate, { args: [input] });
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) throw conflict(err.cause?.message ?? err.message);
    if (err instanceof WorkflowNotFoundError) throw conflict(`run #${run.number} is no longer running`);
    throw new HttpError(503, 'Service Unavailable', 'the run did not answer; try again');
  }
}

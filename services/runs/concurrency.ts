import crypto from 'node:crypto';
import { renderTemplate, type ExecutionPlan, type TriggerContext } from '../../pipeline';
import { invalid } from '../../lib/errors';
import { groupWorkflowId, type RunConcurrency } from '../../contract';

/** Longest group key kept (the Run column's width). */
const MAX_GROUP_LENGTH = 255;

/** The id of the workflow that queues a project's runs of one group. */
export function groupWorkflowIdOf(projectId: string, group: string): string {
  return groupWorkflowId(projectId, crypto.createHash('sha256').update(group).digest('hex'));
}

/**
 * Renders `concurrency.group` when the run is triggered (params, env, run id and number, trigger);
 * 422 when it cannot be evaluated, so no run waits on a group nobody can name.
 */
export function concurrencyOf(
  plan: ExecutionPlan,
  projectId: string,
  ctx: { params: Record<string, string>; run: { id: string; number: number }; trigger: TriggerContext },
): RunConcurrency | undefined {
  if (!plan.concurrency) return undefined;
  let group: string;
  try {
    const base = { params: ctx.params, env: {}, run: ctx.run, steps: {}, trigger: ctx.trigger };
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(plan.env)) env[k] = renderTemplate(v, base);
    group = renderTemplate(plan.concurrency.group, { ...base, env });
  } catch (err) {
    throw invalid('the concurrency group cannot be evaluated', [
      { path: 'concurrency.group', message: (err as Error).message },
    ]);
  }
  if (group === '' || group.length > MAX_GROUP_LENGTH) {
    throw invalid('the concurrency group is empty or too long', [
      {
        path: 'concurrency.group',
        message: `evaluates to ${group.length} characters (1-${MAX_GROUP_LENGTH})`,
      },
    ]);
  }
  return {
    group,
    cancelInProgress: plan.concurrency.cancelInProgress,
    workflowId: groupWorkflowIdOf(projectId, group),
  };
}

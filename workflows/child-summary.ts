import { patched, workflowInfo } from '@temporalio/workflow';

/**
 * A child workflow's line in the Temporal UI: `project/pipeline #n · <what>` from the run's memo.
 * Histories recorded before summaries existed replay without them.
 */
export function childSummary(what: string): { staticSummary?: string } {
  if (!patched('child-workflow-summaries')) return {};
  const memo = (workflowInfo().memo ?? {}) as { project?: string; pipeline?: string; number?: number };
  const run = memo.project ? `${memo.project}/${memo.pipeline} #${memo.number}` : workflowInfo().workflowId;
  return { staticSummary: `${run} · ${what}` };
}

import type { PlanNode, RunView, StepView } from '../lib/types';

const FOCUS_ORDER = ['waiting', 'running', 'failed', 'timed_out'] as const;

/** The step the panel shows when the user has picked none: what waits, then what runs, then what failed. */
export function focusStep(steps: StepView[]): string | undefined {
  for (const status of FOCUS_ORDER) {
    const found = steps.filter((s) => s.status === status);
    // of several running steps, the one started last is the news
    const step = found.sort((a, b) => (b.startedAt ?? '').localeCompare(a.startedAt ?? ''))[0];
    if (step) return step.id;
  }
  return steps[0]?.id;
}

/** The steps that wait for an approval, with who may decide. */
export function waitingApprovals(run: RunView, nodes: PlanNode[]): PlanNode[] {
  const waiting = new Set(run.steps.filter((s) => s.status === 'waiting').map((s) => s.id));
  return nodes.filter((n) => n.approval && waiting.has(n.id));
}

/** One sentence on what the run is doing, for the banner. */
export function runSentence(run: RunView, nodes: PlanNode[], cancelling: boolean): string {
  const ids = (status: string) => [...new Set(run.steps.filter((s) => s.status === status).map((s) => s.id))];
  if (cancelling) return 'Cancelling: running steps are being stopped, then finally steps run.';
  const approvals = waitingApprovals(run, nodes);
  if (approvals.length) {
    return approvals
      .map((n) => {
        const who = n.approval!.approvers.join(', ');
        return `${n.id} waits for approval${who ? ` by ${who}` : ''}`;
      })
      .join('; ');
  }
  const running = ids('running');
  if (running.length) return `Running ${running.join(', ')}.`;
  if (run.status === 'queued') return 'Queued: waiting for a worker or its concurrency group.';
  const failed = [...ids('failed'), ...ids('timed_out')];
  if (failed.length && run.status !== 'running') return `Failed at ${failed.join(', ')}.`;
  if (run.status === 'succeeded') return 'Every step finished.';
  if (run.status === 'cancelled') return 'Cancelled.';
  return '';
}

import { log, patched, proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import type { PipelineRunInput, RunStatus, StepState } from '../contract';

const { mailReceivers } = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '1m',
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumAttempts: 5 },
  summary: 'mail receivers',
});

/**
 * After the run has ended (finally steps included), each of a flow's `receivers` gets the
 * result. A mail that cannot be sent is logged; it never changes the run's status.
 */
export async function notifyReceivers(
  input: PipelineRunInput,
  outcome: { status: RunStatus; error?: string; steps: Iterable<StepState> },
): Promise<void> {
  const receivers = (input.plan.receivers ?? []).map((r) => r.address);
  if (receivers.length === 0 || !patched('flow-receivers-mail')) return;
  const failedSteps = [...outcome.steps]
    .filter((s) => s.status === 'failed' || s.status === 'timed_out')
    .map((s) => s.id);
  try {
    const result = await mailReceivers({
      runId: input.runId,
      project: input.project,
      pipeline: input.pipeline,
      number: input.number,
      status: outcome.status,
      error: outcome.error,
      failedSteps,
      receivers,
      ...(input.plan.receiversService !== undefined ? { service: input.plan.receiversService } : {}),
    });
    if (result.skipped) log.warn(result.skipped);
  } catch (err) {
    log.warn('receivers could not be mailed', { error: (err as Error).message });
  }
}

import { ActivityCancellationType, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import { backoffBefore, STEP_ERROR_TYPES, type ChainStep } from '../contract';

type Activities = ReturnType<typeof createActivities>;

/** Worker crashes and lost heartbeats are retried here; step failures are retried by the workflow. */
const infrastructureRetry = {
  initialInterval: '1s',
  backoffCoefficient: 2,
  maximumInterval: '30s',
  maximumAttempts: 20,
  nonRetryableErrorTypes: Object.values(STEP_ERROR_TYPES),
};

/** Grace the runtime gets after its own timeout fires before Temporal's timeout takes over. */
export const STEP_TIMEOUT_GRACE_MS = 30_000;
export const DEFAULT_STEP_TIMEOUT_MS = 24 * 3600_000;

export function stepActivity(timeoutMs: number | undefined, summary: string) {
  return proxyActivities<Activities>({
    startToCloseTimeout: (timeoutMs ?? DEFAULT_STEP_TIMEOUT_MS) + STEP_TIMEOUT_GRACE_MS,
    heartbeatTimeout: '15s',
    // the workflow waits until the process or pod is really gone
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry: infrastructureRetry,
    summary,
  }).runStep;
}

/** A chain's steps run one after another with their own timeouts, retries and backoffs; the activity allows for all of them. */
export function chainActivity(chain: ChainStep[], summary: string) {
  let startToCloseMs = 0;
  for (const { launch, retry } of chain) {
    startToCloseMs +=
      ((launch.timeoutMs ?? DEFAULT_STEP_TIMEOUT_MS) + STEP_TIMEOUT_GRACE_MS) * retry.attempts;
    for (let attempt = 1; attempt < retry.attempts; attempt++)
      startToCloseMs += backoffBefore(retry, attempt);
  }
  return proxyActivities<Activities>({
    startToCloseTimeout: startToCloseMs,
    heartbeatTimeout: '15s',
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry: infrastructureRetry,
    summary,
  }).runChain;
}

export const { recordSteps, recordRun } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '200ms', backoffCoefficient: 2, maximumInterval: '10s' },
});

export const { enqueueInGroup } = proxyActivities<Activities>({
  startToCloseTimeout: '1m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
});

/** Upstream triggers: a few tries, then the finished run closes anyway. */
export const { triggerDownstream } = proxyActivities<Activities>({
  startToCloseTimeout: '1m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 10 },
});

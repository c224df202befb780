import { sleep } from '@temporalio/workflow';
import type { PlanNode } from '../pipeline/plan';
import { stepActivity } from './activities';
import {
  backoffBefore,
  classifyAttemptFailure,
  type AttemptFailure,
  type RunStepInput,
  type RunStepResult,
} from '../contract';

export type AttemptsOutcome =
  | { ok: true; result: RunStepResult; attempts: number }
  | { ok: false; failure: AttemptFailure; attempts: number };

/**
 * Runs a step's attempts: each attempt is one `runStep` activity (summary = step id, so the
 * Temporal UI reads like the pipeline); a retryable failure waits the step's backoff and tries again.
 */
export async function runAttempts(
  node: PlanNode,
  launch: (attempt: number) => RunStepInput,
  label: string,
): Promise<AttemptsOutcome> {
  for (let attempt = 1; ; attempt++) {
    const summary = attempt === 1 ? label : `${label} (attempt ${attempt})`;
    try {
      const result = await stepActivity(node.timeoutMs, summary)(launch(attempt));
      return { ok: true, result, attempts: attempt };
    } catch (err) {
      const failure = classifyAttemptFailure(err);
      if (failure.status === 'cancelled' || !failure.retryable || attempt >= node.retry.attempts) {
        return { ok: false, failure, attempts: attempt };
      }
      await sleep(backoffBefore(node.retry, attempt));
    }
  }
}

import {
  ActivityFailure,
  ApplicationFailure,
  CancelledFailure,
  ChildWorkflowFailure,
  TimeoutFailure,
} from '@temporalio/common';
import type { PlanNode } from '../pipeline/plan';
import type { StepStatus } from './run';
import { STEP_ERROR_TYPES, type StepErrorDetails } from './step';

export interface AttemptFailure {
  status: Extract<StepStatus, 'failed' | 'timed_out' | 'cancelled'>;
  message: string;
  exitCode: number | null;
  /** worth another attempt under the step's retry policy */
  retryable: boolean;
}

/** A cancellation, bare or as the cause of a failed activity or child (as the workflow SDK's isCancellation). */
export function isCancellation(err: unknown): boolean {
  return (
    err instanceof CancelledFailure ||
    ((err instanceof ActivityFailure || err instanceof ChildWorkflowFailure) &&
      err.cause instanceof CancelledFailure)
  );
}

/** What a failed runStep means for the step (the workflow sees it wrapped, a step chain bare). */
export function classifyAttemptFailure(err: unknown): AttemptFailure {
  if (isCancellation(err))
    return { status: 'cancelled', message: 'cancelled', exitCode: null, retryable: false };
  const cause = err instanceof ActivityFailure || err instanceof ChildWorkflowFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure) {
    const details = (cause.details?.[0] ?? {}) as Partial<StepErrorDetails>;
    const exitCode = details.exitCode ?? null;
    switch (cause.type) {
      case STEP_ERROR_TYPES.timedOut:
        return { status: 'timed_out', message: cause.message, exitCode, retryable: true };
      case STEP_ERROR_TYPES.cancelled:
        return { status: 'cancelled', message: cause.message, exitCode, retryable: false };
      case STEP_ERROR_TYPES.invalid:
        return { status: 'failed', message: cause.message, exitCode, retryable: false };
      default:
        return {
          status: 'failed',
          message: cause.message,
          exitCode,
          retryable: details.retryable ?? !cause.nonRetryable,
        };
    }
  }
  if (cause instanceof TimeoutFailure) {
    return {
      status: 'timed_out',
      message: `step timed out (${cause.timeoutType})`,
      exitCode: null,
      retryable: true,
    };
  }
  const message = cause instanceof Error ? cause.message : String(cause);
  return { status: 'failed', message, exitCode: null, retryable: false };
}

/** Backoff before attempt n+1 (n >= 1), capped by maxBackoffMs. */
export function backoffBefore(retry: PlanNode['retry'], failedAttempt: number): number {
  const delay = retry.backoffMs * Math.pow(retry.factor, failedAttempt - 1);
  return retry.maxBackoffMs === undefined ? delay : Math.min(delay, retry.maxBackoffMs);
}

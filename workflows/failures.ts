import {
  ActivityFailure,
  ApplicationFailure,
  ChildWorkflowFailure,
  isCancellation,
  TimeoutFailure,
} from '@temporalio/workflow';
import { STEP_ERROR_TYPES, type StepErrorDetails, type StepStatus } from '../contract';

export interface AttemptFailure {
  status: Extract<StepStatus, 'failed' | 'timed_out' | 'cancelled'>;
  message: string;
  exitCode: number | null;
  /** worth another attempt under the step's retry policy */
  retryable: boolean;
}

/** What a failed runStep means for the step. */
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

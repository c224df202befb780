import type { StepLaunch, StepOutcome } from '../runtime';
import type { JobResult } from './session';

export type StopReason = 'timeout' | 'cancelled';

/** A job's end as a step outcome, as the local runtime reports it (outputs are added by the caller). */
export function outcomeOf(
  launch: StepLaunch,
  result: JobResult,
  stopped?: StopReason,
): Omit<StepOutcome, 'outputs'> {
  const exitCode = 'code' in result ? result.code : null;
  if (stopped === 'timeout') {
    const message = `step exceeded its timeout of ${launch.timeoutMs} ms and its container was stopped`;
    return { exitCode, failure: { kind: 'timeout', retryable: true, message } };
  }
  if (stopped === 'cancelled') {
    const message = 'step was cancelled and its container stopped';
    return { exitCode, failure: { kind: 'cancelled', retryable: false, message } };
  }
  if ('lost' in result)
    return { exitCode, failure: { kind: 'infrastructure', retryable: true, message: result.lost } };
  if (result.code !== 0) {
    return {
      exitCode,
      failure: { kind: 'exit', retryable: true, message: `step exited with code ${result.code}` },
    };
  }
  return { exitCode: 0 };
}

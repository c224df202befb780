import { TERMINAL_RUN_STATUSES, TERMINAL_STEP_STATUSES } from '../../contract';

/** What the read model says about a step and its run, read in the same snapshot as the log rows. */
export interface StepProgress {
  runStatus: string;
  /** undefined: the step has no StepRun row yet */
  stepStatus?: string;
  stepAttempt?: number;
}

/** Failures the workflow may still retry (see workflows/failures.ts): a further attempt can follow. */
const RETRYABLE = new Set(['failed', 'timed_out']);

/**
 * Whether no more lines can come. The sink flushes a step's lines before its terminal status is
 * recorded, so a terminal status read together with the rows means the rows are complete. A
 * failed attempt is final only when no retry can follow: retries exhausted or the run finished.
 */
export function isLogComplete(p: StepProgress, maxAttempts: number): boolean {
  if ((TERMINAL_RUN_STATUSES as readonly string[]).includes(p.runStatus)) return true;
  if (p.stepStatus === undefined) return false;
  if (!(TERMINAL_STEP_STATUSES as readonly string[]).includes(p.stepStatus)) return false;
  return !RETRYABLE.has(p.stepStatus) || (p.stepAttempt ?? 0) >= maxAttempts;
}

/** The status reported in the `end` event. */
export function endStatus(p: StepProgress): string {
  return p.stepStatus ?? 'skipped';
}

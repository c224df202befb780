import type { PlanNode } from '../pipeline/plan';
import type { RunStepInput, RunStepResult } from './step';
import type { AttemptFailure } from './step-failure';

/**
 * A step chain: consecutive plain steps of a linear pipeline run by one `runChain` activity,
 * one after another, each recorded, retried and timed out on its own like a `runStep` attempt.
 */
export interface ChainStep {
  /** the step's first attempt; later attempts differ only in `attempt` */
  launch: RunStepInput;
  retry: PlanNode['retry'];
}

export interface RunChainInput {
  steps: ChainStep[];
}

export type ChainStepOutcome =
  | { stepId: string; ok: true; result: RunStepResult; attempts: number }
  | { stepId: string; ok: false; failure: AttemptFailure; attempts: number };

/** Outcomes of the steps that ran, in order; the chain stops at the first step that did not succeed. */
export interface RunChainResult {
  steps: ChainStepOutcome[];
}

/**
 * The chain activity's heartbeat: a worker that takes over after a lost one resumes after the
 * last finished step, in the attempt that was running, with that attempt's runtime heartbeat.
 */
export interface ChainProgress {
  done: ChainStepOutcome[];
  attempt: number;
  current?: unknown;
}

/** Details of the CancelledFailure a cancelled chain ends with: the steps that finished before. */
export interface ChainCancelledDetails {
  done: ChainStepOutcome[];
}

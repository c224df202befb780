import type { PlanCache } from '../pipeline/cache';
import type { PlanSidecar } from '../pipeline/sidecars';
import type { PlanMemoize } from '../pipeline/memoize';
import type { PlanNode, PlanPod } from '../pipeline/plan';

/** What the run workflow and the `runStep` activity agree on about one step attempt. */

/** One attempt of one step (one matrix combination): what `runStep` gets. Holds no secret values. */
export interface RunStepInput {
  project: string;
  runId: string;
  stepId: string;
  matrixKey: string;
  matrix?: Record<string, string>;
  /** workspace directory name; the run id when absent */
  workspaceId?: string;
  /** 1-based step attempt, counted by the workflow (worker crashes do not consume attempts) */
  attempt: number;
  kind: 'run' | 'uses';
  script?: string;
  /** `version`: pinned when the pipeline version was saved */
  uses?: { name: string; range: string; version?: string };
  image?: string;
  /** rendered env: pipeline env, step env, params, CO_EXPR_n; never secrets */
  env: Record<string, string>;
  /** rendered `with:`, passed as CO_DATA */
  data: Record<string, string>;
  /** service names; their credentials are resolved by the activity */
  services: string[];
  runtime?: 'local' | 'container' | 'kubernetes';
  /** service containers beside the step's; absent when none */
  sidecars?: PlanSidecar[];
  timeoutMs?: number;
  pod?: PlanPod;
  /** artifacts to unpack before the step and to pack after it (dockyard); absent when none */
  artifacts?: PlanNode['artifacts'];
  /** `cache:` with key and restore keys rendered (their `${CO_HASH_n}` computed by the activity); absent when none */
  cache?: PlanCache;
  /** `memoize:`: a successful attempt with the same fingerprint may stand in for this one */
  memoize?: PlanMemoize;
}

export interface RunStepResult {
  outputs: Record<string, string>;
  exitCode: number | null;
}

/** Thrown by runStep as ApplicationFailure types; all but infrastructure errors are final for the attempt. */
export const STEP_ERROR_TYPES = {
  failed: 'StepFailed',
  timedOut: 'StepTimedOut',
  invalid: 'StepInvalid',
  cancelled: 'StepCancelled',
} as const;

export interface StepErrorDetails {
  exitCode: number | null;
  kind: string;
  retryable: boolean;
}

import type { ExecutionPlan } from '../pipeline/plan';
import type { TriggerContext } from '../pipeline/trigger-context';

/** What the API, the run workflow and its activities agree on about a run and its steps. */

export const RUN_STATUSES = [
  'queued',
  'running',
  'waiting',
  'succeeded',
  'failed',
  'cancelled',
  'timed_out',
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const STEP_STATUSES = [
  'pending',
  'skipped',
  'running',
  'waiting',
  'succeeded',
  'failed',
  'cancelled',
  'timed_out',
] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

export const TERMINAL_STEP_STATUSES: readonly StepStatus[] = [
  'skipped',
  'succeeded',
  'failed',
  'cancelled',
  'timed_out',
];
export const TERMINAL_RUN_STATUSES: readonly RunStatus[] = ['succeeded', 'failed', 'cancelled', 'timed_out'];

export interface PipelineRunInput {
  runId: string;
  project: string;
  pipeline: string;
  number: number;
  plan: ExecutionPlan;
  params: Record<string, string>;
  /** the workspace the run's steps share (local runtime): the run's id, or the first run's for reruns */
  workspaceId?: string;
  /** rerun from failed: steps that succeeded in the earlier run, with their outputs, are not run again */
  reuse?: Record<string, { outputs: Record<string, string> }>;
  /** what started the run (`trigger.*` in expressions); absent in runs started before triggers existed */
  trigger?: TriggerContext;
  /** the run's concurrency group, rendered when it was triggered */
  concurrency?: RunConcurrency;
  /** run consecutive plain steps of a linear pipeline in one activity (the plan's `chainSteps`, else the platform's default) */
  chainSteps?: boolean;
}

export interface RunConcurrency {
  group: string;
  cancelInProgress: boolean;
  /** the group's queue workflow */
  workflowId: string;
}

export interface StepState {
  id: string;
  status: StepStatus;
  attempts: number;
  outputs: Record<string, string>;
  exitCode?: number | null;
  error?: string;
  reused?: boolean;
  /** matrix steps: combinations by status */
  matrix?: { total: number; succeeded: number; failed: number };
  startedAt?: number;
  finishedAt?: number;
}

export interface RunState {
  status: RunStatus;
  steps: StepState[];
  error?: string;
}

export interface PipelineRunResult {
  status: RunStatus;
  error?: string;
  steps: Record<string, { status: StepStatus; outputs: Record<string, string> }>;
}

/** A read-model write the workflow asks for (statuses no step activity reports). */
export interface StepRecord {
  runId: string;
  stepId: string;
  matrixKey: string;
  status: StepStatus;
  attempt?: number;
  outputs?: Record<string, string>;
  error?: string;
  reused?: boolean;
  decision?: { decision: 'approve' | 'reject'; by: string; comment?: string; at: number };
  /** workflow time, epoch ms */
  at: number;
}

export interface RunRecord {
  runId: string;
  status: RunStatus;
  error?: string;
  at: number;
}

/** The end of a run, as mailed to a flow's `receivers`. */
export interface RunNotice {
  runId: string;
  project: string;
  pipeline: string;
  number: number;
  status: RunStatus;
  error?: string;
  failedSteps: string[];
  receivers: string[];
  /** the registered smtp service to mail through; the worker's CO_SMTP_URL when absent */
  service?: string;
}

export interface ApprovalInput {
  stepId: string;
  decision: 'approve' | 'reject';
  by: string;
  comment?: string;
}

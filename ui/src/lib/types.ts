export type RunStatus = 'queued' | 'running' | 'waiting' | 'succeeded' | 'failed' | 'cancelled' | 'timed_out';
export type StepStatus =
  'pending' | 'skipped' | 'running' | 'waiting' | 'succeeded' | 'failed' | 'cancelled' | 'timed_out';

export const FINISHED: readonly string[] = ['succeeded', 'failed', 'cancelled', 'timed_out'];

export interface Page<T> {
  items: T[];
  nextCursor?: string | null;
}

export interface Whoami {
  id: string;
  name: string;
  email: string;
  isAdmin: boolean;
  teams: string[];
  projects: { project: string; role: string; via: string }[];
}

export interface Project {
  name: string;
  description: string;
  role: import('./roles').Role;
  createdAt?: string;
}

export interface PlanNode {
  id: string;
  needs: string[];
  kind: 'run' | 'uses' | 'approval';
  /** `memoize:` of the step (or the pipeline): an earlier identical attempt may stand in */
  memoize?: unknown;
  uses?: { name: string; range: string };
  matrix?: Record<string, string[]>;
  approval?: { approvers: string[] };
  retry: { attempts: number };
}

export interface PlanParam {
  name: string;
  default?: string;
  required: boolean;
  description?: string;
  secret?: boolean;
}

export interface Plan {
  name: string;
  params?: PlanParam[];
  nodes: PlanNode[];
  finally: PlanNode[];
  edges: { from: string; to: string }[];
}

export interface Pipeline {
  name: string;
  version: number;
  updatedAt: string;
  source?: string;
  plan?: Plan;
}

export interface StepFingerprint {
  digest: string;
  inputs: { name: string; digest: string; secret?: boolean }[];
  /** why this attempt will not stand in for another (its workspace changes were over the bound) */
  notMemoizable?: string;
}

export interface StepView {
  id: string;
  matrix: Record<string, string> | null;
  matrixKey: string;
  status: StepStatus;
  attempts: number;
  exitCode: number | null;
  outputs: Record<string, unknown>;
  error: string | null;
  reused: boolean;
  /** a memoized step whose earlier result was reused instead of running it */
  cached?: boolean;
  cachedFrom?: { runId: string; number: number };
  fingerprint?: StepFingerprint;
  approval?: { decision: string; by: string; at: string; comment: string | null };
  startedAt: string | null;
  finishedAt: string | null;
}

export interface RunSummary {
  id: string;
  number: number;
  pipeline: string;
  status: RunStatus;
  trigger: string;
  params: Record<string, string>;
  error: string | null;
  rerunOf: string | null;
  /** its Temporal workflow id */
  workflowId: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  links: { self: string; temporal: string };
}

export interface RunView extends RunSummary {
  pipelineVersion: number;
  steps: StepView[];
}

export interface ComponentInput {
  name: string;
  type?: 'string' | 'integer' | 'number' | 'boolean' | 'enum' | 'list' | 'object';
  required?: boolean;
  default?: unknown;
  description?: string;
  secret?: boolean;
  values?: string[];
}

export interface Component {
  name: string;
  version: string;
  description?: string;
  inputs?: ComponentInput[];
  outputs?: { name: string; description?: string }[];
}

import type { PathSegment } from '../../errors';
import type { Triggers } from './on';
import type { RefContext } from './refs';
import type { JobGraph } from './status';

/** A problem in the source; `offset`: characters into the string value at `path`. */
export interface Problem {
  path: PathSegment[];
  message: string;
  offset?: number;
}

/** What the translation of every job shares. */
export interface WorkflowScope {
  workflowName: string;
  /** GitHub job id -> plan step id */
  jobIds: Map<string, string>;
  triggers: Triggers;
  vars: Set<string>;
  defaults: { shell?: string; workingDirectory?: string };
  /** artifact name -> GitHub id of the job that uploads it */
  uploads: Map<string, string>;
  /** jobs whose if: uses always()/failure()/cancelled(): they run after the others */
  finallyJobs: Set<string>;
  /** needs, checkout step ids and tolerated failures of every job (for the status functions) */
  graph: JobGraph;
  /** set when a checkout names no repository: the clone URL comes from the trigger or a param */
  usesCheckoutUrl: boolean;
  problems: Problem[];
}

/** Native path (relative to the job's native step) -> source path. */
export type OriginList = [PathSegment[], PathSegment[]][];

export interface NativeStep {
  step: Record<string, unknown>;
  origins: OriginList;
  isFinally: boolean;
  /** plan fields the native document has no key for, set on the plan node after building it */
  extras: { failFast?: boolean; maxParallel?: number };
}

export function baseContext(scope: WorkflowScope): RefContext {
  return {
    workflowName: scope.workflowName,
    jobIds: scope.jobIds,
    inputs: scope.triggers.inputs,
    booleanInputs: scope.triggers.booleans,
    vars: scope.vars,
  };
}

/** A plan step id from a GitHub job id: lower case, [a-z0-9-], unique among `taken`. */
export function planId(githubId: string, taken: Set<string>, suffix = ''): string {
  let base = githubId
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .replace(/-+$/, '');
  if (!base) base = 'job';
  base = base.slice(0, 63 - suffix.length - 3) + suffix;
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
  taken.add(id);
  return id;
}

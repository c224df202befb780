import { celLiteral, celPath, type RefResolver, type ResolvedRef } from './expr-cel';
import { GhExprError, type GhSegment } from './expr-parse';

/** What the expressions of one place in a workflow may see. */
export interface RefContext {
  workflowName: string;
  /** GitHub job id -> plan step id, for every job */
  jobIds: ReadonlyMap<string, string>;
  /** GitHub job ids this place may read through needs.* (undefined: workflow level) */
  needs?: ReadonlySet<string>;
  jobId?: string;
  /** workflow_dispatch inputs (params) */
  inputs: ReadonlySet<string>;
  booleanInputs: ReadonlySet<string>;
  /** vars.* names met so far: each becomes a param with an empty default */
  vars: Set<string>;
  matrix?: MatrixRefs;
  /** inside a job's script: steps.*, job.status, runner.temp... resolve to shell variables */
  script?: ScriptRefs;
  /** status functions allowed here, as CEL (undefined: not allowed) */
  status?: (name: string) => string;
}

export interface MatrixRefs {
  axes: ReadonlySet<string>;
  /** axis -> CEL of its value (a lookup by combination when include/exclude reshaped the matrix) */
  cel(axis: string): string;
}

export interface ScriptRefs {
  /** shell variable holding steps.<id>.<field...>, or an error message */
  step(id: string, path: string[]): string | { error: string };
}

export const GITHUB_FIELDS: Record<string, string> = {
  event_name: "(trigger.event == 'api' || trigger.event == 'rerun' ? 'workflow_dispatch' : trigger.event)",
  ref: 'trigger.ref',
  ref_name: "(trigger.tag != '' ? trigger.tag : trigger.branch)",
  sha: 'trigger.sha',
  repository: 'trigger.repository',
  actor: 'trigger.actor',
  triggering_actor: 'trigger.actor',
  run_id: 'run.id',
  run_number: 'run.number',
};
const GITHUB_SHELL_FIELDS: Record<string, string> = { workspace: 'GITHUB_WORKSPACE' };
const RUNNER_FIELDS: Record<string, string> = { os: 'Linux', arch: 'X64', name: 'containerops' };
const RUNNER_SHELL_FIELDS: Record<string, string> = { temp: 'RUNNER_TEMP', tool_cache: 'RUNNER_TOOL_CACHE' };
const NEEDS_RESULT =
  "{'succeeded': 'success', 'failed': 'failure', 'timed_out': 'failure', 'skipped': 'skipped', 'cancelled': 'cancelled'}";

function names(path: GhSegment[]): (string | undefined)[] {
  return path.map((s) => ('name' in s ? s.name : undefined));
}

/** How one reference is met: its context, the resolver (for computed indexes), its path, a fail. */
interface Ref {
  ctx: RefContext;
  resolver: RefResolver;
  path: GhSegment[];
  first: string | undefined;
  offset: number;
  fail: (message: string) => never;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Where the workflow's inputs and variables come from: params. */
const VALUE_ROOTS: Record<string, (r: Ref) => ResolvedRef> = {
  github: (r) => githubRef(r.ctx, r.first, r.path, r.resolver, r.fail),
  inputs: ({ ctx, first, path, resolver, offset, fail }) => {
    if (!first || !ctx.inputs.has(first)) {
      fail(`unknown input "${first ?? ''}" (declare it under on.workflow_dispatch.inputs)`);
    }
    if (ctx.booleanInputs.has(first!)) return { cel: `(params[${JSON.stringify(first)}] == 'true')` };
    return { cel: celPath(`params[${JSON.stringify(first)}]`, path.slice(1), resolver, offset) };
  },
  vars: ({ ctx, first, fail }) => {
    if (!first || !IDENT.test(first)) fail('vars must be followed by a variable name');
    ctx.vars.add(first!);
    return { cel: `params[${JSON.stringify(first)}]` };
  },
  env: ({ ctx, first, fail }) => {
    if (!first) fail('env must be followed by a variable name');
    const cel = `(${JSON.stringify(first)} in env ? env[${JSON.stringify(first)}] : '')`;
    return ctx.script && IDENT.test(first!) ? { shell: first!, cel } : { cel };
  },
  matrix: ({ ctx, first, path, resolver, offset, fail }) => {
    if (!ctx.matrix) fail('matrix is only available in a job with strategy.matrix');
    if (!first || !ctx.matrix!.axes.has(first)) fail(`the matrix has no "${first ?? ''}"`);
    return { cel: celPath(ctx.matrix!.cel(first!), path.slice(1), resolver, offset) };
  },
  needs: ({ ctx, path, resolver, fail }) => {
    const [job, field, key] = names(path);
    return needsRef(ctx, job, field, key, path, resolver, fail);
  },
};

/** What only the job's own script knows, or what the platform fixes. */
const JOB_ROOTS: Record<string, (r: Ref) => ResolvedRef> = {
  runner: ({ ctx, first, fail }) => {
    if (first && first in RUNNER_FIELDS) return { cel: celLiteral(RUNNER_FIELDS[first]!) };
    if (first && first in RUNNER_SHELL_FIELDS && ctx.script) return { shell: RUNNER_SHELL_FIELDS[first]! };
    return fail(
      `runner.${first ?? ''} is not supported here (runner.os, runner.arch, runner.name; runner.temp in run:)`,
    );
  },
  job: ({ ctx, first, fail }) => {
    if (first === 'status' && ctx.script) return { shell: 'CO_GH_JOB_STATUS' };
    return fail(`job.${first ?? ''} is not supported (job.status in run: and step if: only)`);
  },
  steps: ({ ctx, first, path, fail }) => {
    if (!ctx.script) return fail("steps.* is only available inside the job's steps");
    const shell = ctx.script.step(
      first ?? '',
      names(path.slice(1)).map((n) => n ?? '*'),
    );
    return typeof shell === 'string' ? { shell } : fail(shell.error);
  },
  secrets: ({ fail }) =>
    fail('secrets can only be used as a whole value, ${{ secrets.NAME }}, in env:, with: or run:'),
  strategy: ({ fail }) => fail('the strategy context is not supported'),
};

export function refResolver(ctx: RefContext): RefResolver {
  const resolver: RefResolver = {
    ref(root, path, offset): ResolvedRef {
      const fail = (message: string): never => {
        throw new GhExprError(message, offset);
      };
      // own keys only: a context named "constructor" is unknown, not a prototype method
      const table = [VALUE_ROOTS, JOB_ROOTS].find((t) => Object.hasOwn(t, root));
      const handler = table?.[root];
      if (!handler) {
        return fail(
          `unknown context "${root}" (supported: github, env, inputs, vars, matrix, needs, steps, runner, job, secrets)`,
        );
      }
      return handler({ ctx, resolver, path, first: names(path)[0], offset, fail });
    },
    status(name, offset) {
      if (!ctx.status) throw new GhExprError(`${name}() is only allowed in if:`, offset);
      return ctx.status(name);
    },
  };
  return resolver;
}

function githubRef(
  ctx: RefContext,
  first: string | undefined,
  path: GhSegment[],
  resolver: RefResolver,
  fail: (m: string) => never,
): ResolvedRef {
  if (first === undefined)
    return fail('the whole github context cannot be used; name a field such as github.ref');
  if (first === 'event') {
    const [, inputs, input] = names(path);
    if (inputs === 'inputs') {
      if (!input || !ctx.inputs.has(input)) return fail(`unknown input "${input ?? ''}"`);
      return { cel: `params[${JSON.stringify(input)}]` }; // github.event.inputs.* are strings on GitHub too
    }
    return { cel: celPath('trigger.payload', path.slice(1), resolver, 0) };
  }
  if (path.length === 1 && first in GITHUB_FIELDS) return { cel: GITHUB_FIELDS[first]! };
  if (path.length === 1 && first === 'workflow') return { cel: celLiteral(ctx.workflowName) };
  if (path.length === 1 && first === 'job' && ctx.jobId) return { cel: celLiteral(ctx.jobId) };
  if (path.length === 1 && first in GITHUB_SHELL_FIELDS && ctx.script) {
    return { shell: GITHUB_SHELL_FIELDS[first]! };
  }
  return fail(
    `github.${first} is not supported (github.event_name, event, ref, ref_name, sha, repository, actor, run_id, run_number, workflow, job, workspace)`,
  );
}

function needsRef(
  ctx: RefContext,
  job: string | undefined,
  field: string | undefined,
  key: string | undefined,
  path: GhSegment[],
  resolver: RefResolver,
  fail: (m: string) => never,
): ResolvedRef {
  if (!ctx.needs) return fail('needs is only available in a job');
  if (!job || !ctx.needs.has(job)) return fail(`job "${job ?? ''}" is not in this job's needs`);
  const step = `steps[${JSON.stringify(ctx.jobIds.get(job)!)}]`;
  if (field === 'result' && path.length === 2) return { cel: `${NEEDS_RESULT}[${step}.status]` };
  if (field === 'outputs' && key && path.length === 3) {
    const k = JSON.stringify(key);
    return { cel: `(${k} in ${step}.outputs ? ${step}.outputs[${k}] : '')` };
  }
  return fail(
    `needs.${job}.${field ?? ''} is not supported (needs.<job>.outputs.<name>, needs.<job>.result)`,
  );
}

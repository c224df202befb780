import { gitlabServices } from './services';
import type { PathSegment } from '../../errors';
import { combinationMatrix } from '../github/matrix';
import type { NativeStep, OriginList, Problem } from '../github/scope';
import { gitlabCache, type KeyVariable } from './cache';
import { GlExprError, gitlabConditionToCel, celString, type VariableCel } from './expr';
import type { GitlabJob, Rule } from './schema';
import { gitlabScript } from './script';

/** What every job's translation shares. */
export interface GitlabScope {
  /** job name -> plan step id, for the jobs that run */
  ids: Map<string, string>;
  /** job name -> its stage's index */
  stageOf: Map<string, number>;
  /** job name -> names of its artifacts */
  artifacts: Map<string, string[]>;
  variable: VariableCel;
  /** top-level variables and their values in the file, in order */
  globals: [string, string][];
  /** CEL of workflow:rules, when there are any */
  workflowCondition?: string;
  problems: Problem[];
}

const FINALLY_WHEN: Record<string, string | undefined> = {
  always: undefined,
  on_failure: "run.status == 'failed'",
};

/** One GitLab job -> an approval step first when it is manual, then the job's step. */
export function translateGitlabJob(
  name: string,
  job: GitlabJob,
  scope: GitlabScope,
  at: PathSegment[],
  cacheAt: PathSegment[] = at,
): NativeStep[] {
  const id = scope.ids.get(name)!;
  const when = job.when ?? 'on_success';
  const isFinally = when === 'always' || when === 'on_failure';
  const upstream = upstreamJobs(name, job, scope, at);
  const needs = upstream.map((n) => scope.ids.get(n)!);
  const conditions = [
    scope.workflowCondition,
    rulesCondition(job.rules, scope, [...at, 'rules']),
    isFinally ? FINALLY_WHEN[when] : undefined,
  ].filter((c): c is string => c !== undefined);
  const condition = conditions.length > 0 ? conditions.map((c) => `(${c})`).join(' && ') : undefined;
  const out: NativeStep[] = [];
  if (when === 'manual') {
    // a manual job waits for someone to approve it, as GitLab's play button does
    const gate = `${id.slice(0, 54)}-approval`;
    const step = {
      id: gate,
      needs,
      approval: { approvers: ['role:maintainer'] },
      ...(condition && { if: condition }),
    };
    out.push({ step, isFinally, extras: {}, origins: [[[], [...at, 'when']]] });
  }
  const step = jobStep(name, job, scope, at, upstream);
  if (job.cache !== undefined) {
    const cache = gitlabCache(
      job.cache,
      cacheAt,
      keyVariable(name, job, step.env as Record<string, string>, scope),
      (p, m) => scope.problems.push({ path: p, message: m }),
    );
    if (cache) step.cache = cache;
  }
  Object.assign(step, {
    needs: when === 'manual' ? [`${id.slice(0, 54)}-approval`] : needs,
    ...(condition && { if: condition }),
  });
  const origins: OriginList = [
    [[], at],
    [['run'], [...at, 'script']],
    [['matrix'], [...at, 'parallel']],
    [['sidecars'], [...at, 'services']],
    ...cacheOrigins(job, cacheAt),
    ...Object.keys(job.variables ?? {}).map((k): OriginList[number] => [
      ['env', k],
      [...at, 'variables', k],
    ]),
  ];
  out.push({ step, isFinally, extras: {}, origins });
  return out;
}

/** The job's own step, without needs and if: its script, variables, matrix, limits and artifacts. */
function jobStep(name: string, job: GitlabJob, scope: GitlabScope, at: PathSegment[], upstream: string[]) {
  const problem = (path: PathSegment[], message: string) => scope.problems.push({ path, message });
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(job.variables ?? {})) env[k] = variableText(v);
  const matrix = parallelMatrix(job.parallel, env, [...at, 'parallel'], scope.problems);
  const timeout = job.timeout === undefined ? undefined : gitlabDuration(job.timeout);
  if (job.timeout !== undefined && timeout === undefined) {
    problem([...at, 'timeout'], `timeout "${job.timeout}" is not a duration such as 1h 30m or 10 minutes`);
  }
  if (JSON.stringify([job.script, job.before_script, job.after_script]).includes('${{')) {
    problem(
      [...at, 'script'],
      '"${{" is reserved for platform expressions and cannot appear in a GitLab script',
    );
  }
  const retries = typeof job.retry === 'number' ? job.retry : job.retry?.max;
  const sidecars = job.services && gitlabServices(job.services, [...at, 'services'], problem);
  const artifactsIn = upstream
    .filter((n) => wantsArtifacts(job, n))
    .flatMap((n) =>
      (scope.artifacts.get(n) ?? []).map((artifact) => ({ name: artifact, from: scope.ids.get(n)! })),
    );
  const names = scope.artifacts.get(name)!;
  const artifactsOut = (job.artifacts?.paths ?? []).map((path, i) => ({ name: names[i]!, path }));
  return {
    id: scope.ids.get(name)!,
    run: gitlabScript(name, job.stage ?? 'test', job, [...scope.globals, ...Object.entries(env)]),
    env,
    ...(matrix && { matrix }),
    ...(job.image !== undefined && { image: typeof job.image === 'string' ? job.image : job.image.name }),
    ...(timeout && { timeout }),
    ...(sidecars?.length && { sidecars, runtime: 'container' }),
    ...(retries && { retry: { attempts: retries + 1 } }),
    ...(job.allow_failure && { continueOnError: true }),
    ...((artifactsIn.length > 0 || artifactsOut.length > 0) && {
      artifacts: { in: artifactsIn, out: artifactsOut },
    }),
  } as Record<string, unknown>;
}

function cacheOrigins(job: GitlabJob, cacheAt: PathSegment[]): OriginList {
  const at = Array.isArray(job.cache) ? [...cacheAt, 0] : cacheAt;
  return [
    [['cache'], at],
    [
      ['cache', 'restore-keys'],
      [...at, 'fallback_keys'],
    ],
  ];
}

/** What a cache key's `$NAME` may name: predefined variables, top-level ones, the job's own and its matrix. */
function keyVariable(
  name: string,
  job: GitlabJob,
  env: Record<string, string>,
  scope: GitlabScope,
): KeyVariable {
  return (n) => {
    if (n === 'CI_JOB_NAME') return { text: name };
    if (n === 'CI_JOB_STAGE') return { text: job.stage ?? 'test' };
    const own = Object.hasOwn(env, n) ? env[n]! : undefined;
    // a job variable is text; a matrix axis is already a platform expression
    if (own !== undefined && (!own.includes('$') || /^\$\{\{ .*matrix\[.* \}\}$/.test(own)))
      return { text: own };
    if (own !== undefined) return undefined;
    const cel = scope.variable(n);
    return cel === "''" ? undefined : { cel };
  };
}

/** `needs:` when given (a DAG), else every job of the earlier stages, as GitLab orders them. */
function upstreamJobs(name: string, job: GitlabJob, scope: GitlabScope, at: PathSegment[]): string[] {
  if (job.needs !== undefined) {
    return job.needs.flatMap((need, i) => {
      const target = typeof need === 'string' ? need : need.job;
      if (scope.ids.has(target)) return [target];
      if (typeof need !== 'string' && need.optional) return [];
      scope.problems.push({ path: [...at, 'needs', i], message: `needs unknown job "${target}"` });
      return [];
    });
  }
  const stage = scope.stageOf.get(name)!;
  return [...scope.ids.keys()].filter((other) => scope.stageOf.get(other)! < stage);
}

function wantsArtifacts(job: GitlabJob, upstream: string): boolean {
  if (job.dependencies !== undefined) return job.dependencies.includes(upstream);
  const need = job.needs?.find((n) => (typeof n === 'string' ? n : n.job) === upstream);
  return !(need && typeof need !== 'string' && need.artifacts === false);
}

function rulesCondition(
  rules: Rule[] | undefined,
  scope: GitlabScope,
  at: PathSegment[],
): string | undefined {
  if (!rules) return undefined;
  let cel = 'false';
  for (let i = rules.length - 1; i >= 0; i--) {
    const rule = rules[i]!;
    const path = [...at, i];
    if (rule.when && !['on_success', 'never'].includes(rule.when)) {
      scope.problems.push({
        path: [...path, 'when'],
        message: `rules: when: ${rule.when} is not supported (on_success, never; set when: on the job)`,
      });
    }
    if (rule.allow_failure !== undefined || rule.variables !== undefined) {
      scope.problems.push({
        path,
        message: 'rules: allow_failure and variables are not supported; set them on the job',
      });
    }
    const parts = [ruleIf(rule.if, scope, [...path, 'if']), ruleChanges(rule.changes)].filter(
      (p): p is string => p !== undefined,
    );
    const matches = parts.length > 0 ? parts.join(' && ') : 'true';
    cel = `(${matches} ? ${rule.when === 'never' ? 'false' : 'true'} : ${cel})`;
  }
  return cel;
}

export function ruleIf(
  source: string | undefined,
  scope: GitlabScope,
  path: PathSegment[],
): string | undefined {
  if (source === undefined) return undefined;
  try {
    return gitlabConditionToCel(source, scope.variable);
  } catch (e) {
    if (!(e instanceof GlExprError)) throw e;
    scope.problems.push({ path, message: e.message, offset: e.offset });
    return 'false';
  }
}

export function ruleChanges(changes: Rule['changes']): string | undefined {
  if (changes === undefined) return undefined;
  const paths = Array.isArray(changes) ? changes : changes.paths;
  return `glChanges(trigger.payload, [${paths.map(celString).join(', ')}])`;
}

export function variableText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return variableText((v as { value?: unknown }).value);
  return String(v);
}

/** `parallel: N` -> CI_NODE_INDEX/CI_NODE_TOTAL; `parallel: matrix:` -> one combination per entry value. */
function parallelMatrix(
  parallel: GitlabJob['parallel'],
  env: Record<string, string>,
  at: PathSegment[],
  problems: Problem[],
) {
  if (parallel === undefined) return undefined;
  if (typeof parallel === 'number') {
    env.CI_NODE_TOTAL = String(parallel);
    env.CI_NODE_INDEX = '${{ matrix["CI_NODE_INDEX"] }}';
    return { CI_NODE_INDEX: Array.from({ length: parallel }, (_, i) => String(i + 1)) };
  }
  const combos: Record<string, string>[] = [];
  for (const entry of parallel.matrix) {
    let partial: Record<string, string>[] = [{}];
    for (const [k, values] of Object.entries(entry)) {
      const list = (Array.isArray(values) ? values : [values]).map(String);
      partial = partial.flatMap((c) => list.map((v) => ({ ...c, [k]: v })));
      if (partial.length > 64) break; // too many already: stop building them (reported below)
    }
    combos.push(...partial);
    if (combos.length > 64) break;
  }
  if (combos.length > 64) {
    problems.push({
      path: at,
      message: `parallel:matrix may have at most 64 combinations here, this one has ${combos.length}`,
    });
    return undefined;
  }
  const result = combinationMatrix(combos);
  for (const axis of result.refs.axes) env[axis] = `\${{ ${result.refs.cel(axis)} }}`;
  return result.matrix;
}

/** GitLab's "1h 30m", "2 hours", "10 minutes", "90s" -> our duration (1h30m). */
export function gitlabDuration(text: string): string | undefined {
  const units: Record<string, string> = {
    s: 's',
    sec: 's',
    second: 's',
    m: 'm',
    min: 'm',
    minute: 'm',
    h: 'h',
    hr: 'h',
    hour: 'h',
    d: 'd',
    day: 'd',
  };
  const parts = [...text.trim().matchAll(/(\d+)\s*([a-z]+)/gi)];
  if (
    parts.length === 0 ||
    parts
      .map((p) => p[0])
      .join('')
      .replace(/\s/g, '') !== text.replace(/[\s,]|and/g, '')
  )
    return undefined;
  let out = '';
  for (const [, n, unit] of parts) {
    const u = units[unit!.toLowerCase().replace(/s$/, '')] ?? units[unit!.toLowerCase()];
    if (!u) return undefined;
    out += `${n}${u}`;
  }
  return out;
}

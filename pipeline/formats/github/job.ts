import type { PathSegment } from '../../errors';
import { parseGhExpression, type GhExpr } from './expr-parse';
import { jobScript } from './job-script';
import { translateMatrix } from './matrix';
import { refResolver, type RefContext } from './refs';
import { RunSteps } from './run-steps';
import type { Job, Step } from './schema';
import { baseContext, planId, type NativeStep, type OriginList, type WorkflowScope } from './scope';
import { bareCondition, celCondition, celTemplate, doubleQuotedWord, scriptTemplate } from './templates';
import { actionKind, githubCloneUrl, unsupportedInputs, type ActionKind } from './uses';

const FINALLY_STATUS: Record<string, string> = {
  success: "run.status == 'succeeded'",
  failure: "run.status == 'failed'",
  cancelled: "run.status == 'cancelled'",
  always: 'true',
};
const CHECKOUT_URL =
  "has(trigger.payload.repository) && has(trigger.payload.repository.clone_url) ? trigger.payload.repository.clone_url : params.CHECKOUT_URL";

/** Whether a job's if: asks to run after a failure or always: such jobs become finally steps. */
export function runsAfterFailure(job: Job): boolean {
  if (typeof job.if !== 'string') return false;
  try {
    return mentionsStatus(parseGhExpression(bareCondition(job.if).source));
  } catch {
    return false; // reported when the job is translated
  }
}

function mentionsStatus(e: GhExpr): boolean {
  if (e.kind === 'call') return ['always', 'failure', 'cancelled'].includes(e.name.toLowerCase()) || e.args.some(mentionsStatus);
  if (e.kind === 'not') return mentionsStatus(e.operand);
  if (e.kind === 'binary') return mentionsStatus(e.left) || mentionsStatus(e.right);
  return false;
}

/** One GitHub job -> its native steps: a git-clone step per checkout, then the job's script. */
export function translateJob(gid: string, job: Job, scope: WorkflowScope, taken: Set<string>): NativeStep[] {
  const at: PathSegment[] = ['jobs', gid];
  const pid = scope.jobIds.get(gid)!;
  const isFinally = scope.finallyJobs.has(gid);
  const problem = (path: PathSegment[], message: string, offset?: number) => scope.problems.push({ path, message, offset });
  const needs = jobNeeds(gid, job, scope);
  const matrix = job.strategy?.matrix === undefined ? undefined : translateMatrix(job.strategy.matrix, [...at, 'strategy', 'matrix'], scope.problems);
  const ctx: RefContext = { ...baseContext(scope), jobId: gid, needs: new Set(needs), matrix: matrix?.refs };
  const status = (name: string) => (isFinally ? FINALLY_STATUS[name]! : name === 'success' ? 'true' : 'false');
  const condition = typeof job.if === 'string'
    ? celCondition(job.if, refResolver({ ...ctx, matrix: undefined, status }), (offset, m) => problem([...at, 'if'], m, offset))
    : job.if === false ? 'false' : undefined;
  const secrets = new Map<string, string>();
  const hooks = { secret: (name: string) => secretEnv(name, secrets) };

  const out: NativeStep[] = [];
  const artifacts = { in: [] as { name: string; from: string }[], out: [] as { name: string; path: string }[] };
  const runs = new RunSteps(gid, job, scope, ctx, hooks);
  let needIds = needs.map((n) => scope.jobIds.get(n)!);
  let phase: 'before' | 'run' | 'after' = 'before';
  job.steps.forEach((step, k) => {
    const path: PathSegment[] = [...at, 'steps', k];
    if (step.run !== undefined && step.uses !== undefined) return problem(path, 'a step has either run: or uses:, not both');
    if (step.run === undefined && step.uses === undefined) return problem(path, 'a step needs run: or uses:');
    if (step.run !== undefined) {
      if (phase === 'after') problem(path, 'run: steps after actions/upload-artifact are not supported: upload at the end of the job');
      phase = 'run';
      return runs.add(step, k);
    }
    const kind = actionKind(step.uses!);
    if (typeof kind !== 'string') return problem([...path, 'uses'], kind.error);
    for (const p of unsupportedInputs(kind, step, path)) scope.problems.push(p);
    if (kind === 'upload-artifact') {
      phase = 'after';
      return artifacts.out.push(uploadArtifact(step, path, problem));
    }
    if (phase !== 'before') return problem([...path, 'uses'], `${kind} must come before the job's run: steps`);
    if (kind === 'download-artifact') return artifacts.in.push(downloadArtifact(step, path, gid, scope, problem));
    const clone = checkoutStep(step, path, planId(`${pid}-checkout`, taken), needIds, condition, ctx, problem, scope);
    out.push({ step: clone.step, origins: clone.origins, isFinally, extras: {} });
    needIds = [clone.step.id as string];
  });

  const jobOutputs: [string, string][] = Object.entries(job.outputs ?? {}).map(([name, value]) => {
    const resolver = refResolver({ ...ctx, script: runs.refs(Infinity) });
    const text = scriptTemplate(value, resolver, hooks, (offset, m) => problem([...at, 'outputs', name], m, offset));
    return [name, doubleQuotedWord(text)];
  });
  const env: Record<string, string> = {};
  const envOrigins: OriginList = [];
  for (const [name, value] of Object.entries(job.env ?? {})) {
    env[name] = celTemplate(String(value ?? ''), refResolver(ctx), (offset, m) => problem([...at, 'env', name], m, offset));
    envOrigins.push([['env', name], [...at, 'env', name]]);
  }
  for (const [name, secret] of secrets) env[name] = `\${{ secrets.${secret} }}`;
  const step: Record<string, unknown> = {
    id: pid,
    needs: needIds,
    run: jobScript({ job: gid, steps: runs.steps, outputs: jobOutputs }),
    env,
    ...(condition !== undefined && { if: condition }),
    ...(matrix && { matrix: matrix.matrix }),
    ...(job['timeout-minutes'] !== undefined && { timeout: `${Math.round(job['timeout-minutes'] * 60)}s` }),
    ...(job['continue-on-error'] !== undefined && { continueOnError: job['continue-on-error'] }),
    ...((artifacts.in.length > 0 || artifacts.out.length > 0) && { artifacts }),
  };
  if (runs.steps.length === 0 && out.length === 0) problem([...at, 'steps'], 'the job has no run: steps');
  const extras = { failFast: job.strategy?.['fail-fast'], maxParallel: job.strategy?.['max-parallel'] };
  out.push({ step, isFinally, extras, origins: [[[], at], [['if'], [...at, 'if']], [['needs'], [...at, 'needs']], [['matrix'], [...at, 'strategy', 'matrix']], [['run'], [...at, 'steps']], ...envOrigins] });
  return out;
}

function jobNeeds(gid: string, job: Job, scope: WorkflowScope): string[] {
  const list = job.needs === undefined ? [] : typeof job.needs === 'string' ? [job.needs] : job.needs;
  return list.filter((need, i) => {
    const path: PathSegment[] = typeof job.needs === 'string' ? ['jobs', gid, 'needs'] : ['jobs', gid, 'needs', i];
    if (!scope.jobIds.has(need)) scope.problems.push({ path, message: `job "${gid}" needs unknown job "${need}"` });
    else if (scope.finallyJobs.has(need) && !scope.finallyJobs.has(gid)) {
      scope.problems.push({ path, message: `job "${gid}" needs "${need}", whose if: uses always(), failure() or cancelled(): such jobs run after all others, so ${gid} must use one too` });
    } else return true;
    return false;
  });
}

function secretEnv(name: string, secrets: Map<string, string>): string {
  const env = `CO_GH_SECRET_${name}`;
  secrets.set(env, name);
  return env;
}

type Report = (path: PathSegment[], message: string, offset?: number) => void;

function uploadArtifact(step: Step, path: PathSegment[], problem: Report): { name: string; path: string } {
  const name = String(step.with?.name ?? 'artifact');
  const files = String(step.with?.path ?? '');
  if (!files.trim()) problem([...path, 'with'], 'upload-artifact needs with.path');
  if (files.trim().includes('\n')) problem([...path, 'with', 'path'], 'upload-artifact: one path per step (use one step per path)');
  if (/[*?]|\$\{\{/.test(files)) problem([...path, 'with', 'path'], 'upload-artifact: wildcards and expressions in path are not supported');
  return { name, path: files.trim() };
}

function downloadArtifact(step: Step, path: PathSegment[], gid: string, scope: WorkflowScope, problem: Report) {
  const name = step.with?.name;
  if (name === undefined || name === null) {
    problem([...path, 'with'], 'download-artifact needs with.name');
    return { name: '', from: '' };
  }
  const from = scope.uploads.get(String(name));
  if (!from) problem([...path, 'with', 'name'], `no job uploads an artifact named "${String(name)}"`);
  if (from === gid) problem([...path, 'with', 'name'], 'a job cannot download its own artifact');
  return { name: String(name), from: from ? scope.jobIds.get(from)! : '' };
}

function checkoutStep(
  step: Step,
  path: PathSegment[],
  id: string,
  needs: string[],
  condition: string | undefined,
  ctx: RefContext,
  problem: Report,
  scope: WorkflowScope,
): { step: Record<string, unknown>; origins: OriginList } {
  const w = step.with ?? {};
  const resolver = refResolver(ctx);
  const text = (key: string) => celTemplate(String(w[key]), resolver, (o, m) => problem([...path, 'with', key], m, o));
  const withs: Record<string, string> = {};
  if (w.repository !== undefined && w.repository !== null) {
    const repo = text('repository');
    withs.url = /^[\w.-]+\/[\w.-]+$/.test(repo) ? githubCloneUrl(repo) : repo;
  } else {
    withs.url = `\${{ ${CHECKOUT_URL} }}`;
    scope.usesCheckoutUrl = true;
  }
  withs.ref = w.ref !== undefined && w.ref !== null ? text('ref') : '${{ trigger.sha }}';
  if (w.path !== undefined && w.path !== null) withs.path = text('path');
  if (w['fetch-depth'] !== undefined && w['fetch-depth'] !== null) withs.depth = text('fetch-depth');
  if (w.token !== undefined && w.token !== null) withs.token = text('token');
  return {
    step: { id, needs, uses: 'git-clone@1', with: withs, ...(condition !== undefined && { if: condition }) },
    origins: [[[], path], [['with'], [...path, 'with']]],
  };
}

export type { ActionKind };

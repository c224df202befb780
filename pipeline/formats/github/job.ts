import type { PathSegment } from '../../errors';
import { actionsCache, type StepCache } from './cache';
import { jobContainer } from './container';
import { jobServices } from './services';
import { parseGhExpression, type GhExpr } from './expr-parse';
import { jobScript } from './job-script';
import { translateMatrix } from './matrix';
import { refResolver, type RefContext } from './refs';
import { RunSteps } from './run-steps';
import type { Job, Step } from './schema';
import { baseContext, type NativeStep, type OriginList, type WorkflowScope } from './scope';
import { finallyStatusCel } from './status';
import { bareCondition, celCondition, celTemplate, scriptWord } from './templates';
import { actionKind, githubCloneUrl, unsupportedInputs } from './uses';

const CHECKOUT_URL =
  'has(trigger.payload.repository) && has(trigger.payload.repository.clone_url) ? trigger.payload.repository.clone_url : params.CHECKOUT_URL';

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
  if (e.kind === 'call')
    return ['always', 'failure', 'cancelled'].includes(e.name.toLowerCase()) || e.args.some(mentionsStatus);
  if (e.kind === 'not') return mentionsStatus(e.operand);
  if (e.kind === 'binary') return mentionsStatus(e.left) || mentionsStatus(e.right);
  return false;
}

/** One GitHub job -> its native steps: a git-clone step per checkout, then the job's script. */
export function translateJob(gid: string, job: Job, scope: WorkflowScope): NativeStep[] {
  return new JobTranslation(gid, job, scope).steps();
}

type Artifacts = { in: { name: string; from: string }[]; out: { name: string; path: string }[] };

class JobTranslation {
  private readonly at: PathSegment[];
  private readonly pid: string;
  private readonly isFinally: boolean;
  private readonly ctx: RefContext;
  private readonly matrix: ReturnType<typeof translateMatrix>;
  private readonly condition: string | undefined;
  private readonly secrets = new Map<string, string>();
  private readonly hooks = { secret: (name: string) => secretEnv(name, this.secrets) };
  private readonly runs: RunSteps;
  private readonly artifacts: Artifacts = { in: [], out: [] };
  private readonly out: NativeStep[] = [];
  private needIds: string[];
  private phase: 'before' | 'run' | 'after' = 'before';
  private cache: { doc: StepCache; at: PathSegment[] } | undefined;

  constructor(
    private readonly gid: string,
    private readonly job: Job,
    private readonly scope: WorkflowScope,
  ) {
    this.at = ['jobs', gid];
    this.pid = scope.jobIds.get(gid)!;
    this.isFinally = scope.finallyJobs.has(gid);
    const needs = jobNeeds(gid, job, scope);
    this.needIds = needs.map((n) => scope.jobIds.get(n)!);
    const matrix = job.strategy?.matrix;
    this.matrix =
      matrix === undefined
        ? undefined
        : translateMatrix(matrix, [...this.at, 'strategy', 'matrix'], scope.problems);
    this.ctx = { ...baseContext(scope), jobId: gid, needs: new Set(needs), matrix: this.matrix?.refs };
    this.condition = this.jobCondition();
    this.runs = new RunSteps(gid, job, scope, this.ctx, this.hooks);
  }

  private problem(path: PathSegment[], message: string, offset?: number): void {
    this.scope.problems.push({ path, message, offset });
  }

  /** The job's if: as CEL; in finally jobs, status functions decide by the jobs this one needs. */
  private jobCondition(): string | undefined {
    if (this.job.if === false) return 'false';
    if (typeof this.job.if !== 'string') return undefined;
    const status = (name: string) =>
      this.isFinally ? finallyStatusCel(name, this.gid, this.scope) : name === 'success' ? 'true' : 'false';
    const resolver = refResolver({ ...this.ctx, matrix: undefined, status });
    return celCondition(this.job.if, resolver, (offset, m) => this.problem([...this.at, 'if'], m, offset));
  }

  steps(): NativeStep[] {
    this.job.steps.forEach((step, k) => this.step(step, k));
    if (this.runs.steps.length === 0 && this.out.length === 0) {
      this.problem([...this.at, 'steps'], 'the job has no run: steps');
    }
    this.out.push({
      step: this.node(),
      isFinally: this.isFinally,
      extras: {
        failFast: this.job.strategy?.['fail-fast'],
        maxParallel: this.job.strategy?.['max-parallel'],
      },
      origins: [
        [[], this.at],
        [['if'], [...this.at, 'if']],
        [['needs'], [...this.at, 'needs']],
        [['matrix'], [...this.at, 'strategy', 'matrix']],
        [['run'], [...this.at, 'steps']],
        ...this.cacheOrigins(),
        [['image'], [...this.at, 'container']],
        [['sidecars'], [...this.at, 'services']],
        ...Object.keys(this.job.env ?? {}).map((name): OriginList[number] => [
          ['env', name],
          [...this.at, 'env', name],
        ]),
        // a secret a step uses travels in the job's env: its errors point at the job's steps
        ...[...this.secrets.keys()].map((name): OriginList[number] => [
          ['env', name],
          [...this.at, 'steps'],
        ]),
      ],
    });
    return this.out;
  }

  private step(step: Step, k: number): void {
    const path: PathSegment[] = [...this.at, 'steps', k];
    if (step.run !== undefined && step.uses !== undefined) {
      return this.problem(path, 'a step has either run: or uses:, not both');
    }
    if (step.run === undefined && step.uses === undefined)
      return this.problem(path, 'a step needs run: or uses:');
    if (step.run !== undefined) {
      if (this.phase === 'after') {
        this.problem(
          path,
          'run: steps after actions/upload-artifact are not supported: upload at the end of the job',
        );
      }
      this.phase = 'run';
      return this.runs.add(step, k);
    }
    this.action(step, k);
  }

  private action(step: Step, k: number): void {
    const path: PathSegment[] = [...this.at, 'steps', k];
    const kind = actionKind(step.uses!);
    if (typeof kind !== 'string') return this.problem([...path, 'uses'], kind.error);
    this.scope.problems.push(...unsupportedInputs(kind, step, path));
    const problem = this.problem.bind(this);
    if (kind === 'upload-artifact') {
      this.phase = 'after';
      this.artifacts.out.push(uploadArtifact(step, path, problem));
    } else if (this.phase !== 'before') {
      this.problem([...path, 'uses'], `${kind} must come before the job's run: steps`);
    } else if (kind === 'cache') {
      if (this.cache) return this.problem([...path, 'uses'], 'one actions/cache step per job is supported');
      this.cache = { doc: actionsCache(step, path, refResolver(this.ctx), problem), at: path };
    } else if (kind === 'download-artifact') {
      this.artifacts.in.push(downloadArtifact(step, path, this.gid, this.scope, problem));
    } else {
      const id = this.scope.graph.checkoutIds.get(this.gid)!.get(k)!;
      const clone = checkoutStep(step, path, id, this.needIds, this.condition, this.ctx, problem, this.scope);
      this.out.push({ step: clone.step, origins: clone.origins, isFinally: this.isFinally, extras: {} });
      this.needIds = [id];
    }
  }

  /** Where the job step's cache: came from: the actions/cache step's inputs. */
  private cacheOrigins(): OriginList {
    if (!this.cache) return [];
    const w = [...this.cache.at, 'with'];
    return [
      [['cache'], w],
      [
        ['cache', 'key'],
        [...w, 'key'],
      ],
      [
        ['cache', 'paths'],
        [...w, 'path'],
      ],
      [
        ['cache', 'restore-keys'],
        [...w, 'restore-keys'],
      ],
    ];
  }

  /** The job's own step: its script, env (with the secrets its steps use), matrix and limits. */
  private node(): Record<string, unknown> {
    const outputs: [string, string][] = Object.entries(this.job.outputs ?? {}).map(([name, value]) => {
      const resolver = refResolver({ ...this.ctx, script: this.runs.refs(Infinity) });
      const word = scriptWord(value, resolver, this.hooks, (offset, m) =>
        this.problem([...this.at, 'outputs', name], m, offset),
      );
      return [name, word];
    });
    const container =
      this.job.container === undefined
        ? undefined
        : jobContainer(this.job.container, [...this.at, 'container'], refResolver(this.ctx), (p, m, o) =>
            this.problem(p, m, o),
          );
    const sidecars =
      this.job.services === undefined
        ? undefined
        : jobServices(this.job.services, [...this.at, 'services'], (p, m) => this.problem(p, m));
    const env: Record<string, string> = { ...container?.env, GITHUB_JOB: this.gid };
    for (const [name, value] of Object.entries(this.job.env ?? {})) {
      env[name] = celTemplate(String(value ?? ''), refResolver(this.ctx), (offset, m) =>
        this.problem([...this.at, 'env', name], m, offset),
      );
    }
    const run = jobScript({ job: this.gid, steps: this.runs.steps, outputs });
    for (const [name, secret] of this.secrets) env[name] = `\${{ secrets.${secret} }}`;
    const { job, artifacts } = this;
    return {
      id: this.pid,
      needs: this.needIds,
      run,
      env,
      ...(this.condition !== undefined && { if: this.condition }),
      ...(this.matrix && { matrix: this.matrix.matrix }),
      ...(container && { image: container.image, runtime: 'container' }),
      ...(sidecars?.length && { sidecars, runtime: 'container' }),
      ...(this.cache && { cache: this.cache.doc }),
      ...(job['timeout-minutes'] !== undefined && { timeout: `${Math.round(job['timeout-minutes'] * 60)}s` }),
      ...(job['continue-on-error'] !== undefined && { continueOnError: job['continue-on-error'] }),
      ...((artifacts.in.length > 0 || artifacts.out.length > 0) && { artifacts }),
    };
  }
}

function jobNeeds(gid: string, job: Job, scope: WorkflowScope): string[] {
  const list = job.needs === undefined ? [] : typeof job.needs === 'string' ? [job.needs] : job.needs;
  return list.filter((need, i) => {
    const path: PathSegment[] =
      typeof job.needs === 'string' ? ['jobs', gid, 'needs'] : ['jobs', gid, 'needs', i];
    if (!scope.jobIds.has(need))
      scope.problems.push({ path, message: `job "${gid}" needs unknown job "${need}"` });
    else if (scope.finallyJobs.has(need) && !scope.finallyJobs.has(gid)) {
      scope.problems.push({
        path,
        message: `job "${gid}" needs "${need}", whose if: uses always(), failure() or cancelled(): such jobs run after all others, so ${gid} must use one too`,
      });
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
  if (files.trim().includes('\n'))
    problem([...path, 'with', 'path'], 'upload-artifact: one path per step (use one step per path)');
  if (/[*?]|\$\{\{/.test(files))
    problem(
      [...path, 'with', 'path'],
      'upload-artifact: wildcards and expressions in path are not supported',
    );
  return { name, path: files.trim() };
}

function downloadArtifact(
  step: Step,
  path: PathSegment[],
  gid: string,
  scope: WorkflowScope,
  problem: Report,
) {
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
  const text = (key: string) =>
    celTemplate(String(w[key]), resolver, (o, m) => problem([...path, 'with', key], m, o));
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
    origins: [
      [[], path],
      [['with'], [...path, 'with']],
    ],
  };
}

import type { PipelineError } from '../../errors';
import type { SourceMap } from '../../parse';
import type { ExecutionPlan } from '../../plan';
import { schemaErrors } from '../../schema-errors';
import type { CatalogSnapshot } from '../../uses';
import type { ProjectNames } from '../../validate';
import type { SourceOptions } from '../detect';
import { compileGenerated, Origins } from '../generated';
import { pipelineNameFrom } from '../names';
import { runsAfterFailure, translateJob } from './job';
import { translateOn } from './on';
import { GITHUB_FIELDS, refResolver } from './refs';
import { unsupportedKeys, withoutUnsupported, workflowSchema, type Workflow } from './schema';
import { jobGraph } from './status';
import { baseContext, planId, type NativeStep, type Problem, type WorkflowScope } from './scope';
import { celTemplate } from './templates';

/** The caller's options (format, file name, pipeline name, included files) and the project's facts. */
export interface FormatOptions extends SourceOptions {
  names?: ProjectNames;
  catalog?: CatalogSnapshot;
}

export type FormatResult =
  | { ok: true; plan: ExecutionPlan; warnings: PipelineError[] }
  | { ok: false; errors: PipelineError[]; warnings: PipelineError[] };

/** A GitHub Actions workflow -> execution plan, or every located error. */
export function compileGithubWorkflow(
  raw: Record<string, unknown>,
  map: SourceMap,
  options: FormatOptions = {},
): FormatResult {
  const keyProblems = unsupportedKeys(raw);
  const parsed = workflowSchema.safeParse(withoutUnsupported(raw, keyProblems), { reportInput: true });
  const located = (list: Problem[]) => list.map((p) => locate(p, map));
  if (!parsed.success)
    return { ok: false, errors: [...located(keyProblems), ...schemaErrors(parsed.error, map)], warnings: [] };
  const wf = parsed.data;
  const warnings = located(warningsOf(wf));
  const origins = new Origins();
  const problems: Problem[] = [...keyProblems];
  const scope = workflowScope(wf, origins, problems);
  const { main, fin } = translateJobs(wf, scope);
  const doc = nativeDocument(wf, scope, origins, options, main, fin);
  if (problems.length > 0) return { ok: false, errors: located(problems), warnings };
  const result = compileGenerated(doc, origins, map, options.names ?? {}, options.catalog);
  if (!result.ok) return { ok: false, errors: result.errors, warnings };
  applyExtras(result.plan, [...main, ...fin]);
  return { ok: true, plan: { ...result.plan, format: 'github-actions' }, warnings };
}

function locate(p: Problem, map: SourceMap): PipelineError {
  const at = p.offset === undefined ? map.locateKey(p.path) : map.locateInString(p.path, p.offset);
  return map.error(p.path, p.message, at);
}

function warningsOf(wf: Workflow): Problem[] {
  const out: Problem[] = [];
  const note = 'no GITHUB_TOKEN is issued to jobs, so permissions: has nothing to restrict (ignored)';
  if (wf.permissions !== undefined) out.push({ path: ['permissions'], message: note });
  if (wf['run-name'] !== undefined)
    out.push({ path: ['run-name'], message: 'run-name is ignored: runs are numbered' });
  for (const [id, job] of Object.entries(wf.jobs)) {
    if (job.permissions !== undefined) out.push({ path: ['jobs', id, 'permissions'], message: note });
  }
  return out;
}

function workflowScope(wf: Workflow, origins: Origins, problems: Problem[]): WorkflowScope {
  const taken = new Set<string>();
  const jobIds = new Map(Object.keys(wf.jobs).map((gid) => [gid, planId(gid, taken)]));
  const uploads = new Map<string, string>();
  for (const [gid, job] of Object.entries(wf.jobs)) {
    for (const step of job.steps) {
      if (step.uses?.toLowerCase().startsWith('actions/upload-artifact'))
        uploads.set(String(step.with?.name ?? 'artifact'), gid);
    }
  }
  return {
    workflowName: wf.name ?? '',
    jobIds,
    triggers: translateOn(wf.on, origins, problems),
    vars: new Set(),
    defaults: { shell: wf.defaults?.run?.shell, workingDirectory: wf.defaults?.run?.['working-directory'] },
    uploads,
    finallyJobs: new Set(
      Object.entries(wf.jobs)
        .filter(([, job]) => runsAfterFailure(job))
        .map(([gid]) => gid),
    ),
    graph: jobGraph(wf.jobs, jobIds),
    usesCheckoutUrl: false,
    problems,
  };
}

function translateJobs(wf: Workflow, scope: WorkflowScope): { main: NativeStep[]; fin: NativeStep[] } {
  const all = Object.entries(wf.jobs).flatMap(([gid, job]) => translateJob(gid, job, scope));
  return { main: all.filter((s) => !s.isFinally), fin: all.filter((s) => s.isFinally) };
}

function nativeDocument(
  wf: Workflow,
  scope: WorkflowScope,
  origins: Origins,
  options: FormatOptions,
  main: NativeStep[],
  fin: NativeStep[],
): Record<string, unknown> {
  const ctx = baseContext(scope);
  const env = defaultEnv(scope.workflowName);
  for (const [k, v] of Object.entries(wf.env ?? {})) {
    env[k] = celTemplate(String(v ?? ''), refResolver(ctx), (offset, message) =>
      scope.problems.push({ path: ['env', k], message, offset }),
    );
    origins.set(['env', k], ['env', k]);
  }
  const place = (list: NativeStep[], key: string) =>
    list.map((s, i) => {
      for (const [native, source] of s.origins) origins.set([key, i, ...native], source);
      return s.step;
    });
  const params = [...scope.triggers.params];
  for (const v of scope.vars) if (!scope.triggers.inputs.has(v)) params.push({ name: v, default: '' });
  if (scope.usesCheckoutUrl && !scope.triggers.inputs.has('CHECKOUT_URL')) {
    params.push({
      name: 'CHECKOUT_URL',
      default: '',
      description: 'clone URL for actions/checkout when the trigger has none',
    });
  }
  origins.set(['on'], ['on']);
  origins.set(['concurrency'], ['concurrency']);
  return {
    apiVersion: 'containerops/v1',
    kind: 'Pipeline',
    name: options.name ?? pipelineNameFrom(wf.name, options.fileName, 'workflow'),
    ...(wf.name !== undefined && { description: wf.name }),
    ...(params.length > 0 && { params }),
    ...(Object.keys(env).length > 0 && { env }),
    steps: place(main, 'steps'),
    ...(fin.length > 0 && { finally: place(fin, 'finally') }),
    ...(scope.triggers.on && { on: scope.triggers.on }),
    ...(wf.concurrency !== undefined && { concurrency: concurrency(wf.concurrency, scope) }),
  };
}

/** GitHub's default environment variables, from what started the run (the workflow's env wins). */
function defaultEnv(workflowName: string): Record<string, string> {
  const env: Record<string, string> = { GITHUB_WORKFLOW: workflowName };
  const fields: Record<string, string> = {
    GITHUB_EVENT_NAME: 'event_name',
    GITHUB_REF: 'ref',
    GITHUB_REF_NAME: 'ref_name',
    GITHUB_SHA: 'sha',
    GITHUB_REPOSITORY: 'repository',
    GITHUB_ACTOR: 'actor',
    GITHUB_RUN_ID: 'run_id',
    GITHUB_RUN_NUMBER: 'run_number',
  };
  for (const [name, field] of Object.entries(fields)) env[name] = `\${{ ${GITHUB_FIELDS[field]} }}`;
  return env;
}

function concurrency(c: NonNullable<Workflow['concurrency']>, scope: WorkflowScope): Record<string, unknown> {
  const group = typeof c === 'string' ? c : c.group;
  const path = typeof c === 'string' ? ['concurrency'] : ['concurrency', 'group'];
  const rendered = celTemplate(group, refResolver(baseContext(scope)), (offset, message) =>
    scope.problems.push({ path, message, offset }),
  );
  return {
    group: rendered,
    cancelInProgress: typeof c === 'string' ? false : (c['cancel-in-progress'] ?? false),
  };
}

function applyExtras(plan: ExecutionPlan, steps: NativeStep[]): void {
  for (const s of steps) {
    const node = [...plan.nodes, ...plan.finally].find((n) => n.id === s.step.id);
    if (!node) continue;
    if (s.extras.failFast !== undefined) node.failFast = s.extras.failFast;
    if (s.extras.maxParallel !== undefined) node.maxParallel = s.extras.maxParallel;
  }
}

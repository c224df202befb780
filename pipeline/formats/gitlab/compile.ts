import type { PathSegment, PipelineError } from '../../errors';
import type { SourceMap } from '../../parse';
import { schemaErrors } from '../../schema-errors';
import { compileGenerated, Origins } from '../generated';
import type { FormatOptions, FormatResult } from '../github/compile';
import { planId, type NativeStep, type Problem } from '../github/scope';
import { pipelineNameFrom } from '../names';
import { ruleChanges, ruleIf, translateGitlabJob, variableText, type GitlabScope } from './job';
import { deepMerge, resolveExtends, resolveIncludes } from './merge';
import {
  DEFAULT_KEYS,
  GLOBAL_KEYS,
  jobSchema,
  UNSUPPORTED_GLOBAL_KEYS,
  UNSUPPORTED_JOB_KEYS,
  workflowSchema,
  type GitlabJob,
} from './schema';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** GitLab's predefined variables, from what started the run. */
const PREDEFINED: Record<string, string> = {
  CI_COMMIT_SHA: 'trigger.sha',
  CI_COMMIT_BRANCH: 'trigger.branch',
  CI_COMMIT_TAG: 'trigger.tag',
  CI_COMMIT_REF_NAME: "(trigger.tag != '' ? trigger.tag : trigger.branch)",
  CI_PIPELINE_SOURCE:
    "(trigger.event == 'pull_request' ? 'merge_request_event' : trigger.event == 'pipeline' ? 'pipeline' : trigger.event == 'schedule' ? 'schedule' : trigger.event == 'push' ? 'push' : 'api')",
  CI_PROJECT_PATH: 'trigger.repository',
  GITLAB_USER_LOGIN: 'trigger.actor',
  // GitLab's push payload names the default branch; other runs assume main
  CI_DEFAULT_BRANCH:
    "has(trigger.payload.project) && has(trigger.payload.project.default_branch) ? trigger.payload.project.default_branch : 'main'",
  CI_PIPELINE_ID: 'string(run.id)',
  CI_PIPELINE_IID: 'string(run.number)',
};
const DEFAULT_STAGES = ['build', 'test', 'deploy'];

/** A GitLab CI file -> execution plan, or every located error. */
export function compileGitlabCi(raw: Obj, map: SourceMap, options: FormatOptions = {}): FormatResult {
  const problems: Problem[] = [];
  const { doc, from } = resolveIncludes(raw, options.files ?? {}, problems);
  const where = (path: PathSegment[]) => from.get(String(path[0])) ?? path;
  const origins = new Origins();
  for (const [key, why] of Object.entries(UNSUPPORTED_GLOBAL_KEYS))
    if (key in doc) problems.push({ path: where([key]), message: why });
  const stages = stageList(doc, problems);
  const params = globalParams(doc, origins);
  const jobs = jobDocuments(doc, where, problems);
  const variable = (name: string) =>
    Object.hasOwn(PREDEFINED, name)
      ? `(${PREDEFINED[name]})`
      : params.some((p) => p.name === name)
        ? `params[${JSON.stringify(name)}]`
        : "''";
  const scope: GitlabScope = {
    globals: params.map((p): [string, string] => [p.name, p.default]),
    ids: new Map(),
    stageOf: new Map(),
    artifacts: new Map(),
    variable,
    problems,
  };
  scope.workflowCondition = workflowCondition(doc.workflow, scope, where(['workflow']));
  registerJobs(jobs, stages, scope);
  const steps = jobs.flatMap(({ name, job, at, cacheAt }) =>
    scope.ids.has(name) ? translateGitlabJob(name, job, scope, at, cacheAt) : [],
  );
  if (problems.length > 0) return { ok: false, errors: problems.map((p) => locate(p, map)), warnings: [] };
  const native = nativeDocument(doc, options, params, steps, origins);
  const result = compileGenerated(native, origins, map, options.names ?? {}, options.catalog);
  if (!result.ok) return { ok: false, errors: result.errors, warnings: [] };
  return { ok: true, plan: { ...result.plan, format: 'gitlab-ci' }, warnings: [] };
}

function locate(p: Problem, map: SourceMap): PipelineError {
  const at = p.offset === undefined ? map.locateKey(p.path) : map.locateInString(p.path, p.offset);
  return map.error(p.path, p.message, at);
}

function stageList(doc: Obj, problems: Problem[]): string[] {
  if (doc.stages === undefined) return ['.pre', ...DEFAULT_STAGES, '.post'];
  if (!Array.isArray(doc.stages) || !doc.stages.every((s) => typeof s === 'string')) {
    problems.push({ path: ['stages'], message: 'stages must be a list of stage names' });
    return [];
  }
  return ['.pre', ...doc.stages.filter((s) => s !== '.pre' && s !== '.post'), '.post'];
}

/** Top-level variables are the pipeline's params (a run may set them), passed to every job as env. */
function globalParams(doc: Obj, origins: Origins): { name: string; default: string; description?: string }[] {
  if (!isObj(doc.variables)) return [];
  return Object.entries(doc.variables).map(([name, value], i) => {
    origins.set(['params', i], ['variables', name]);
    const description = isObj(value) && typeof value.description === 'string' ? value.description : undefined;
    return { name, default: variableText(value), ...(description && { description }) };
  });
}

interface JobDoc {
  name: string;
  job: GitlabJob;
  at: PathSegment[];
  /** where the job's cache: was written (the job, default: or the top level) */
  cacheAt: PathSegment[];
}

function cacheSource(doc: Obj, value: Obj, at: PathSegment[], where: (p: PathSegment[]) => PathSegment[]) {
  if ('cache' in value) return [...at, 'cache'];
  if (isObj(doc.default) && 'cache' in doc.default) return where(['default', 'cache']);
  return 'cache' in doc ? where(['cache']) : at;
}

function jobDocuments(doc: Obj, where: (p: PathSegment[]) => PathSegment[], problems: Problem[]): JobDoc[] {
  const defaults = defaultsOf(doc, problems);
  const out: JobDoc[] = [];
  for (const [name, value] of Object.entries(doc)) {
    if (GLOBAL_KEYS.has(name) || name.startsWith('.')) continue;
    const at = where([name]);
    if (!isObj(value)) {
      problems.push({
        path: at,
        message: `"${name}" is neither a job (a mapping with script:) nor a known keyword`,
      });
      continue;
    }
    const merged = resolveExtends(name, doc, problems, at);
    const job = deepMerge(
      Object.fromEntries(Object.entries(defaults).filter(([k]) => !(k in merged))),
      merged,
    );
    for (const [key, why] of Object.entries(UNSUPPORTED_JOB_KEYS)) {
      if (key in job) {
        problems.push({ path: key in value ? [...at, key] : at, message: why });
        delete job[key];
      }
    }
    const parsed = jobSchema.safeParse(job);
    if (!parsed.success) {
      for (const e of schemaErrors(parsed.error, pathRecorder))
        problems.push({ path: [...at, ...(JSON.parse(e.path) as PathSegment[])], message: e.message });
      continue;
    }
    out.push({ name, job: parsed.data, at, cacheAt: cacheSource(doc, value, at, where) });
  }
  return out;
}

/** A SourceMap stand-in that keeps the raw path (JSON) of each schema error, to prefix it with the job's path. */
const pathRecorder: SourceMap = {
  locate: () => ({ line: 1, col: 1 }),
  locateKey: () => ({ line: 1, col: 1 }),
  locateInString: () => ({ line: 1, col: 1 }),
  error: (path, message) => ({ path: JSON.stringify(path), line: 1, col: 1, message }),
};

function defaultsOf(doc: Obj, problems: Problem[]): Obj {
  const out: Obj = {};
  // top-level image, services, before_script, after_script and cache are GitLab's older spelling of default:
  for (const key of ['image', 'services', 'before_script', 'after_script', 'cache'])
    if (doc[key] !== undefined) out[key] = doc[key];
  if (isObj(doc.default)) {
    for (const [k, v] of Object.entries(doc.default)) {
      if (DEFAULT_KEYS.includes(k)) out[k] = v;
      else
        problems.push({
          path: ['default', k],
          message: `default: ${k} is not supported (${DEFAULT_KEYS.join(', ')})`,
        });
    }
  }
  return out;
}

function registerJobs(jobs: JobDoc[], stages: string[], scope: GitlabScope): void {
  const taken = new Set<string>();
  for (const { name, job, at } of jobs) {
    if (job.when === 'never') continue;
    const stage = stages.indexOf(job.stage ?? 'test');
    if (stage < 0) {
      scope.problems.push({
        path: [...at, 'stage'],
        message: `stage "${job.stage ?? 'test'}" is not in stages (${stages.join(', ')})`,
      });
      continue;
    }
    const id = planId(name, taken);
    scope.ids.set(name, id);
    scope.stageOf.set(name, stage);
    const base = job.artifacts?.name ? planId(job.artifacts.name, new Set()) : id;
    scope.artifacts.set(
      name,
      (job.artifacts?.paths ?? []).map((_, i) => (i === 0 ? base : `${base}-${i + 1}`)),
    );
  }
}

function workflowCondition(workflow: unknown, scope: GitlabScope, at: PathSegment[]): string | undefined {
  if (workflow === undefined) return undefined;
  const parsed = workflowSchema.safeParse(workflow);
  if (!parsed.success) {
    scope.problems.push({ path: at, message: `workflow: ${parsed.error.issues[0]?.message ?? 'invalid'}` });
    return undefined;
  }
  const rules = parsed.data.rules;
  if (!rules) return undefined;
  let cel = 'false';
  for (let i = rules.length - 1; i >= 0; i--) {
    const rule = rules[i]!;
    const parts = [ruleIf(rule.if, scope, [...at, 'rules', i, 'if']), ruleChanges(rule.changes)].filter(
      (p) => p !== undefined,
    );
    if (rule.variables)
      scope.problems.push({
        path: [...at, 'rules', i, 'variables'],
        message: 'workflow:rules:variables is not supported',
      });
    cel = `(${parts.length ? parts.join(' && ') : 'true'} ? ${rule.when === 'never' ? 'false' : 'true'} : ${cel})`;
  }
  return cel;
}

function nativeDocument(
  doc: Obj,
  options: FormatOptions,
  params: { name: string }[],
  steps: NativeStep[],
  origins: Origins,
): Obj {
  const env: Record<string, string> = {};
  for (const [name, cel] of Object.entries(PREDEFINED)) env[name] = `\${{ ${cel} }}`;
  for (const p of params) env[p.name] = `\${{ params[${JSON.stringify(p.name)}] }}`;
  const place = (list: NativeStep[], key: string) =>
    list.map((s, i) => {
      for (const [native, source] of s.origins) origins.set([key, i, ...native], source);
      return s.step;
    });
  const main = steps.filter((s) => !s.isFinally);
  const fin = steps.filter((s) => s.isFinally);
  const workflowName =
    isObj(doc.workflow) && typeof doc.workflow.name === 'string' ? doc.workflow.name : undefined;
  return {
    apiVersion: 'containerops/v1',
    kind: 'Pipeline',
    name: options.name ?? pipelineNameFrom(workflowName, options.fileName, 'gitlab-ci'),
    ...(workflowName && { description: workflowName }),
    ...(params.length > 0 && { params }),
    env,
    steps: place(main, 'steps'),
    ...(fin.length > 0 && { finally: place(fin, 'finally') }),
  };
}

import type { PlanCache } from '../pipeline/cache';
import type { PlanNode } from '../pipeline/plan';
import { evaluateExpression, renderTemplate, stringify, type ExpressionContext } from '../pipeline/evaluate';
import type { RunStepInput } from '../contract';

/** Params reach scripts as PARAM_<NAME> (upper-cased, non-alphanumerics as `_`). */
export function paramEnv(params: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(params))
    env[`PARAM_${name.toUpperCase().replace(/[^A-Z0-9_]/g, '_')}`] = value;
  return env;
}

function renderRecord(record: Record<string, string>, ctx: ExpressionContext): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(record)) out[k] = renderTemplate(v, ctx);
  return out;
}

/** `${CO_HASH_n}` is not a template: it stays for the activity, which hashes the workspace's files. */
function renderCache(cache: PlanCache, ctx: ExpressionContext): PlanCache {
  const restoreKeys = cache.restoreKeys.map((k) => renderTemplate(k, ctx));
  return { ...cache, key: renderTemplate(cache.key, ctx), restoreKeys };
}

/** The activity input for one attempt of one step: every template rendered, nothing secret. */
export function buildLaunch(
  base: {
    project: string;
    runId: string;
    workspaceId?: string;
    pipelineEnv: Record<string, string>;
    params: Record<string, string>;
  },
  node: PlanNode,
  ctx: ExpressionContext,
  matrix: Record<string, string> | undefined,
  matrixKey: string,
  attempt: number,
): RunStepInput {
  const scoped: ExpressionContext = matrix ? { ...ctx, matrix } : ctx;
  const exprEnv: Record<string, string> = {};
  for (const [name, source] of Object.entries(node.exprEnv))
    exprEnv[name] = stringify(evaluateExpression(source, scoped));
  return {
    project: base.project,
    runId: base.runId,
    workspaceId: base.workspaceId,
    stepId: node.id,
    matrixKey,
    matrix,
    attempt,
    kind: node.kind === 'uses' ? 'uses' : 'run',
    script: node.script,
    uses: node.uses,
    image: node.image === undefined ? undefined : renderTemplate(node.image, scoped),
    env: { ...base.pipelineEnv, ...paramEnv(base.params), ...renderRecord(node.env, scoped), ...exprEnv },
    data: renderRecord(node.with, scoped),
    services: node.services,
    runtime: node.runtime,
    timeoutMs: node.timeoutMs,
    pod: node.pod,
    // only when there are some: launches without artifacts stay as they were recorded before
    ...(node.artifacts.in.length || node.artifacts.out.length ? { artifacts: node.artifacts } : {}),
    ...(node.cache ? { cache: renderCache(node.cache, scoped) } : {}),
    ...(node.sidecars ? { sidecars: node.sidecars } : {}),
    ...(node.memoize ? { memoize: node.memoize } : {}),
  };
}

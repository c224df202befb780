import { buildCache } from './cache';
import { buildSidecars } from './sidecars';
import { buildMemoize, type MemoizeDocument } from './memoize';
import { parseDuration } from './duration';
import { capErrors, sortErrors, type PipelineError } from './errors';
import { findTemplates, unwrapCondition } from './expressions';
import { compileFlow } from './flow';
import { detectFormat, type SourceFormat, type SourceOptions } from './formats/detect';
import { compileOtherFormat } from './formats/compile';
import { topologicalOrder } from './graph';
import { parseYaml, type SourceMap } from './parse';
import type { ExecutionPlan, PlanNode, PlanPod } from './plan';
import { pipelineSchema, type PipelineDocument, type PodDocument, type StepDocument } from './schema';
import { schemaErrors } from './schema-errors';
import { checkComponentUses, pinPlan, splitUses, type CatalogSnapshot, type Pin } from './uses';
import { markSecretTemplates } from './secrets';
import { stepGraph, validatePipeline, type ProjectNames } from './validate';
import { buildTriggers } from './triggers';

/** Most steps (main plus finally, or flow jobs) one document may declare. */
export const MAX_STEPS = 2000;
export const DEFAULT_MAX_PARALLEL = 8;

/** `warnings`: what was accepted and ignored (flows only: unknown keys, run state, empty entries). */
export type CompileResult =
  | { ok: true; plan: ExecutionPlan; format: SourceFormat; warnings: PipelineError[] }
  | { ok: false; errors: PipelineError[]; warnings: PipelineError[] };

/**
 * YAML source -> execution plan or every error found. Never throws. With a catalog snapshot,
 * `uses:` is resolved and pinned and `with:` checked against the component's inputs. With the
 * project's names, `${{ secrets.NAME }}` references are checked. `options` name the format or
 * the file name (formats/detect.ts), the pipeline name, and GitLab's included files.
 */
export function compilePipelineSource(
  source: string,
  catalog?: CatalogSnapshot,
  names: ProjectNames = {},
  options: SourceOptions = {},
): CompileResult {
  try {
    if (typeof source !== 'string') return failure([docError('pipeline source must be a string')]);
    const parsed = parseYaml(source);
    if (!parsed.ok) return failure(parsed.errors);
    const { value, map } = parsed;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      return failure([docError('a pipeline document must be a YAML mapping')]);
    }
    const doc = value as Record<string, unknown>;
    const format = detectFormat(doc, options);
    if (format === 'github-actions' || format === 'gitlab-ci') {
      return compileOtherFormat(format, doc, map, { ...options, names, catalog });
    }
    if (format === 'flow') {
      const flow = compileFlow(doc, map);
      const warnings = sortErrors(flow.warnings);
      if (!flow.ok) return { ...failure(flow.errors), warnings };
      if (!catalog) return { ok: true, plan: flow.plan, format: 'flow', warnings };
      const pinned = pinPlan(flow.plan, catalog);
      return pinned.errors.length
        ? { ...failure(pinned.errors), warnings }
        : { ok: true, plan: pinned.plan, format: 'flow', warnings };
    }
    return compileNative(doc, map, catalog, names);
  } catch (e) {
    return failure([
      docError(`internal error while compiling: ${e instanceof Error ? e.message : String(e)}`),
    ]);
  }
}

function compileNative(
  doc: Record<string, unknown>,
  map: SourceMap,
  catalog: CatalogSnapshot | undefined,
  names: ProjectNames,
): CompileResult {
  const declared = lengthOf(doc.steps) + lengthOf(doc.finally);
  if (declared > MAX_STEPS) {
    return failure([map.error(['steps'], `too many steps: ${declared} declared, at most ${MAX_STEPS}`)]);
  }
  const result = pipelineSchema.safeParse(doc, { reportInput: true });
  if (!result.success) return failure(schemaErrors(result.error, map));
  const errors = validatePipeline(result.data, map, names);
  let pins = new Map<string, Pin>();
  if (catalog) {
    const checked = checkComponentUses(result.data, map, catalog);
    errors.push(...checked.errors);
    pins = checked.pins;
  }
  if (errors.length > 0) return failure(errors);
  const plan = buildPlan(result.data, map);
  return {
    ok: true,
    plan: catalog ? pinPlan(plan, catalog, pins).plan : plan,
    format: 'native',
    warnings: [],
  };
}

export function buildPlan(doc: PipelineDocument, map: SourceMap): ExecutionPlan {
  const graph = stepGraph(doc);
  const byId = new Map(doc.steps.map((s, i) => [s.id, { step: s, index: i }]));
  const order = topologicalOrder(graph.mainIds, graph.needs);
  const nodes = order.map((id) => {
    const { step, index } = byId.get(id)!;
    return buildNode(step, map.locate(['steps', index]).line, doc.memoize);
  });
  const finallyNodes = (doc.finally ?? []).map((step, i) =>
    buildNode(step, map.locate(['finally', i]).line, doc.memoize),
  );
  const edges = [...nodes, ...finallyNodes].flatMap((n) => n.needs.map((from) => ({ from, to: n.id })));
  return compact({
    version: 1 as const,
    format: 'native' as const,
    name: doc.name,
    description: doc.description,
    params: (doc.params ?? []).map((p) =>
      compact({
        name: p.name,
        default: p.default === undefined ? undefined : String(p.default),
        required: p.required ?? false,
        description: p.description,
        secret: p.secret || undefined,
      }),
    ),
    env: secretReferences(stringRecord(doc.env)),
    timeoutMs: doc.timeout === undefined ? undefined : parseDuration(doc.timeout),
    maxParallel: doc.maxParallel ?? DEFAULT_MAX_PARALLEL,
    chainSteps: doc.chainSteps,
    nodes,
    finally: finallyNodes,
    edges,
    triggers: doc.on ? buildTriggers(doc.on, (path) => map.locate(path).line) : undefined,
    concurrency: doc.concurrency
      ? { group: doc.concurrency.group, cancelInProgress: doc.concurrency.cancelInProgress ?? false }
      : undefined,
  });
}

function buildNode(step: StepDocument, line: number, memoize?: MemoizeDocument): PlanNode {
  const exprEnv: Record<string, string> = {};
  const script = step.run === undefined ? undefined : extractScriptExpressions(step.run, exprEnv);
  return compact({
    id: step.id,
    needs: step.needs ?? [],
    kind: step.approval
      ? ('approval' as const)
      : step.uses !== undefined
        ? ('uses' as const)
        : ('run' as const),
    script,
    exprEnv,
    uses: step.uses === undefined ? undefined : splitUses(step.uses),
    image: step.image,
    with: secretReferences(stringRecord(step.with)),
    env: secretReferences(stringRecord(step.env)),
    if: step.if === undefined ? undefined : unwrapCondition(step.if).source,
    matrix:
      step.matrix === undefined
        ? undefined
        : Object.fromEntries(Object.entries(step.matrix).map(([axis, values]) => [axis, values.map(String)])),
    retry: compact({
      attempts: step.retry?.attempts ?? 1,
      backoffMs: step.retry?.backoff === undefined ? 1000 : parseDuration(step.retry.backoff)!,
      factor: step.retry?.factor ?? 2,
      maxBackoffMs: step.retry?.maxBackoff === undefined ? undefined : parseDuration(step.retry.maxBackoff),
    }),
    timeoutMs: step.timeout === undefined ? undefined : parseDuration(step.timeout),
    artifacts: {
      in: (step.artifacts?.in ?? []).map(({ name, from }) => ({ name, from })),
      out: (step.artifacts?.out ?? []).map(({ name, path }) => ({ name, path })),
    },
    services: step.services ?? [],
    runtime: step.runtime,
    sidecars: step.sidecars ? buildSidecars(step.sidecars) : undefined,
    continueOnError: step.continueOnError ?? false,
    approval: step.approval
      ? compact({
          approvers: step.approval.approvers,
          timeoutMs: step.approval.timeout === undefined ? undefined : parseDuration(step.approval.timeout),
        })
      : undefined,
    pod: step.pod ? buildPod(step.pod) : undefined,
    cache: step.cache ? buildCache(step.cache) : undefined,
    memoize: step.approval ? undefined : buildMemoize(step.memoize, memoize),
    line,
  });
}

/**
 * Replaces each `${{ expr }}` in a script by `${CO_EXPR_n}` and records the expression, so
 * the runtime passes values as environment variables and never splices them into shell code.
 */
export function extractScriptExpressions(script: string, exprEnv: Record<string, string>): string {
  const { templates } = findTemplates(script);
  const bySource = new Map<string, string>();
  let out = '';
  let last = 0;
  for (const t of templates) {
    let name = bySource.get(t.source);
    if (!name) {
      name = `CO_EXPR_${bySource.size + 1}`;
      bySource.set(t.source, name);
      exprEnv[name] = t.source;
    }
    out += `${script.slice(last, t.start)}\${${name}}`;
    last = t.end;
  }
  return out + script.slice(last);
}

export { splitUses };

function buildPod(pod: PodDocument): PlanPod {
  const quantities = (r?: { cpu?: string | number; memory?: string | number }) =>
    r &&
    compact({
      cpu: r.cpu === undefined ? undefined : String(r.cpu),
      memory: r.memory === undefined ? undefined : String(r.memory),
    });
  return compact({
    namespace: pod.namespace,
    resources:
      pod.resources &&
      compact({ requests: quantities(pod.resources.requests), limits: quantities(pod.resources.limits) }),
    nodeSelector: pod.nodeSelector && { ...pod.nodeSelector },
    tolerations: pod.tolerations?.map((t) => compact({ ...t })),
    serviceAccountName: pod.serviceAccountName,
    imagePullSecrets: pod.imagePullSecrets && [...pod.imagePullSecrets],
  });
}

/** Scalar map values as strings (numbers and bools via String). */
export function stringRecord(
  record: Record<string, string | number | boolean> | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(record ?? {})) out[k] = String(v);
  return out;
}

/** `${{ secrets.NAME }}` -> a reference the step activity resolves; the workflow never sees the value. */
function secretReferences(record: Record<string, string>): Record<string, string> {
  for (const [k, v] of Object.entries(record)) if (v.includes('${{')) record[k] = markSecretTemplates(v);
  return record;
}

/** Drops keys whose value is undefined, so plans survive a JSON round trip unchanged. */
export function compact<T extends object>(value: T): T {
  const out = {} as T;
  for (const [k, v] of Object.entries(value)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

function lengthOf(value: unknown): number {
  return Array.isArray(value) ? value.length : 0;
}

function failure(errors: PipelineError[]): { ok: false; errors: PipelineError[]; warnings: PipelineError[] } {
  return { ok: false, errors: capErrors(sortErrors(errors)), warnings: [] };
}

export function docError(message: string): PipelineError {
  return { path: '', line: 1, col: 1, message };
}

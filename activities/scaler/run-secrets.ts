import type { Config } from '../../lib/config';
import type { Db } from '../../lib/db';
import { keyringOf, open } from '../../lib/secret-box';
import { findTemplates } from '../../pipeline/expressions';
import { validatePlan, type ExecutionPlan, type PlanNode } from '../../pipeline/plan';
import { hasMarker, referencesIn } from '../../pipeline/secrets';
import { resolveComponent } from '../nucleus/components';

/** One run's secret set is read once per worker while its steps run, not once per step. */
const CACHE_MS = 30_000;
const CACHE_RUNS = 64;

const PARAM_REFERENCE = /^params\.([A-Za-z_][A-Za-z0-9_-]*)$/;

/**
 * Every secret value a run knows, from the database and the references its plan holds: the
 * project secrets any of its steps refers to, its secret params, the credentials of every
 * service any step uses, the values of secret component inputs, and literal values of
 * variables named like secrets (CO_SECRET_ENV_PATTERN). A step masks all of them,
 * so a value one step was given cannot show in the log or outputs of another (which read it
 * from a workspace file). Never passed through Temporal: each activity reads it itself.
 */
export function createRunSecrets(deps: { db: Db; config: Config }) {
  const cache = new Map<string, { at: number; values: Promise<string[]> }>();
  return function runSecretValues(runId: string): Promise<string[]> {
    const now = Date.now();
    const hit = cache.get(runId);
    if (hit && now - hit.at < CACHE_MS) return hit.values;
    for (const [id, entry] of cache)
      if (now - entry.at >= CACHE_MS || cache.size >= CACHE_RUNS) cache.delete(id);
    const values = load(deps, runId);
    cache.set(runId, { at: now, values });
    values.catch(() => cache.delete(runId));
    return values;
  };
}

async function load(deps: { db: Db; config: Config }, runId: string): Promise<string[]> {
  const run = await deps.db.run.findUnique({
    where: { id: runId },
    select: { projectId: true, params: true, pipelineVersion: { select: { plan: true } } },
  });
  if (!run) return [];
  const plan = validatePlan(run.pipelineVersion.plan);
  const nodes = [...plan.nodes, ...plan.finally];
  const refs = [plan.env, ...nodes.flatMap((n) => [n.env, n.with])].flatMap(referencesIn);
  const secretNames = [...new Set(refs.filter((r) => r.kind === 'secrets').map((r) => r.name))];
  const serviceNames = [
    ...new Set([...nodes.flatMap((n) => n.services), plan.receiversService ?? []].flat()),
  ];
  const [secrets, runSecrets, services] = await Promise.all([
    deps.db.projectSecret.findMany({ where: { projectId: run.projectId, name: { in: secretNames } } }),
    deps.db.runSecret.findMany({ where: { runId } }),
    deps.db.service.findMany({ where: { projectId: run.projectId, name: { in: serviceNames } } }),
  ]);
  // a secret deleted (or sealed with a key this worker lacks) fails only the step that needs
  // it; no step can be given it, so here it is simply left out
  const keyring = keyringOf(deps.config);
  const opened = (sealed: string) => {
    try {
      return open(keyring, sealed);
    } catch {
      return undefined;
    }
  };
  const values: string[] = [];
  for (const r of [...secrets, ...runSecrets]) values.push(opened(r.value) ?? '');
  for (const s of services) {
    const credentials = JSON.parse((s.secret && opened(s.secret)) || '{}') as Record<string, unknown>;
    values.push(...Object.values(credentials).filter((v): v is string => typeof v === 'string'));
  }
  const params = (run.params ?? {}) as Record<string, unknown>;
  values.push(...(await secretInputValues(deps.db, plan, nodes, params)));
  values.push(
    ...secretNamedLiterals([plan.env, ...nodes.map((n) => n.env)], deps.config.CO_SECRET_ENV_PATTERN),
  );
  return values;
}

/**
 * Values of secret component inputs that the plan and the run's params decide: literals, and
 * templates over params only. Values with secret references are masked as those references;
 * a value computed from step outputs is known only to the step that uses it.
 */
async function secretInputValues(
  db: Db,
  plan: ExecutionPlan,
  nodes: PlanNode[],
  params: Record<string, unknown>,
): Promise<string[]> {
  const paramValue = (name: string) => {
    const value = params[name] ?? plan.params.find((p) => p.name === name)?.default;
    return typeof value === 'string' ? value : value === undefined ? undefined : String(value);
  };
  const specs = new Map<string, Promise<Awaited<ReturnType<typeof resolveComponent>>>>();
  const values: string[] = [];
  for (const node of nodes) {
    if (node.kind !== 'uses' || !node.uses) continue;
    const key = `${node.uses.name}@${node.uses.version ?? node.uses.range}`;
    if (!specs.has(key)) specs.set(key, resolveComponent(db, node.uses));
    const component = await specs.get(key)!;
    for (const input of component?.spec.inputs ?? []) {
      const raw = node.with[input.name];
      if (!input.secret || raw === undefined || hasMarker(raw)) continue;
      const value = renderParams(raw, paramValue);
      if (value !== undefined && !hasMarker(value)) values.push(value);
    }
  }
  return values;
}

/** Literal values of variables whose names match CO_SECRET_ENV_PATTERN, in any step's env. */
function secretNamedLiterals(envs: Record<string, string>[], namePattern: string): string[] {
  const re = new RegExp(namePattern, 'i');
  return envs.flatMap((env) =>
    Object.entries(env)
      .filter(([name, value]) => re.test(name) && !value.includes('${{') && !hasMarker(value))
      .map(([, value]) => value),
  );
}

/** `raw` with every `${{ params.X }}` replaced; undefined when it holds any other expression. */
function renderParams(raw: string, param: (name: string) => string | undefined): string | undefined {
  let out = '';
  let last = 0;
  for (const t of findTemplates(raw).templates) {
    const name = PARAM_REFERENCE.exec(t.source)?.[1];
    const value = name === undefined ? undefined : param(name);
    if (value === undefined) return undefined;
    out += raw.slice(last, t.start) + value;
    last = t.end;
  }
  return out + raw.slice(last);
}

import type { Config } from '../../lib/config';
import type { Db } from '../../lib/db';
import { keyringOf, seal } from '../../lib/secret-box';
import type { ExecutionPlan } from '../../pipeline';
import { hasMarker, secretMarker } from '../../pipeline/secrets';

type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0];

/**
 * Params declared `secret: true` never reach the workflow: the run row and the workflow get a
 * reference, the value is sealed in RunSecret and resolved by the step activity. A rerun passes
 * the references on and copies the sealed values of the run it repeats.
 */
export function referenceSecretParams(plan: ExecutionPlan, params: Record<string, string>) {
  const secret = plan.params.filter((p) => p.secret).map((p) => p.name);
  const referenced = { ...params };
  const values: Record<string, string> = {};
  for (const name of secret) {
    const value = params[name];
    if (value === undefined) continue;
    referenced[name] = secretMarker('params', name);
    if (value !== referenced[name]) values[name] = value;
  }
  return { params: referenced, values };
}

export async function storeSecretParams(
  tx: Tx,
  config: Config,
  runId: string,
  values: Record<string, string>,
  rerunOfId: string | undefined,
  referenced: Record<string, string>,
): Promise<void> {
  const keyring = Object.keys(values).length ? keyringOf(config) : undefined;
  const rows = Object.entries(values).map(([name, value]) => ({ runId, name, value: seal(keyring!, value) }));
  const carried = Object.entries(referenced)
    .filter(([name, v]) => hasMarker(v) && !(name in values))
    .map(([name]) => name);
  if (carried.length && rerunOfId) {
    const earlier = await tx.runSecret.findMany({ where: { runId: rerunOfId, name: { in: carried } } });
    for (const row of earlier) rows.push({ runId, name: row.name, value: row.value });
  }
  if (rows.length) await tx.runSecret.createMany({ data: rows });
}

/** Run params as the API shows them: secret ones as `***`. */
export function paramsView(params: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries((params ?? {}) as Record<string, unknown>))
    out[k] = typeof v === 'string' && hasMarker(v) ? '***' : v;
  return out;
}

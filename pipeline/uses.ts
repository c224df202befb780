import semver from 'semver';
import { literalProblem, type ComponentInput } from './component';
import { parseDuration } from './duration';
import type { PathSegment, PipelineError } from './errors';
import type { SourceMap } from './parse';
import type { ExecutionPlan, PlanNode } from './plan';
import type { PipelineDocument, StepDocument } from './schema';

/**
 * What the compiler knows of the component catalog: plain data, loaded from the database
 * before compiling (so the compiler stays pure and can run in a compiler process).
 */
export interface CatalogVersion {
  version: string;
  yanked: boolean;
  inputs: ComponentInput[];
  timeout?: string;
}
export type CatalogSnapshot = Record<string, CatalogVersion[]>;

export interface Pin {
  version: string;
  timeoutMs?: number;
}

/** `name@range` -> parts; no `@` means any version. */
export function splitUses(uses: string): { name: string; range: string } {
  const at = uses.lastIndexOf('@');
  return at < 0 ? { name: uses, range: '*' } : { name: uses.slice(0, at), range: uses.slice(at + 1) };
}

function normaliseRange(range: string): string {
  return range === '' || range === 'latest' ? '*' : range;
}

/** The newest version matching an npm semver range, skipping yanked ones; undefined if none. */
export function resolveRange<V extends { version: string; yanked: boolean }>(
  versions: readonly V[],
  range: string,
): V | undefined {
  const live = versions.filter((v) => !v.yanked);
  const best = semver.maxSatisfying(
    live.map((v) => v.version),
    normaliseRange(range),
  );
  return best === null ? undefined : live.find((v) => v.version === best);
}

/** Why `name@range` resolves to nothing, or the version it resolves to. */
function resolveUses(
  catalog: CatalogSnapshot,
  uses: { name: string; range: string },
): { version: CatalogVersion } | { problem: string } {
  const versions = catalog[uses.name];
  if (!versions || versions.length === 0) return { problem: `component ${uses.name} is not in the catalog` };
  if (semver.validRange(normaliseRange(uses.range)) === null)
    return { problem: `${JSON.stringify(uses.range)} is not a semver range (try 1, ^1.2 or 1.2.3)` };
  const version = resolveRange(versions, uses.range);
  if (version) return { version };
  const live = versions.filter((v) => !v.yanked).map((v) => v.version);
  const yanked = versions.filter((v) => v.yanked).map((v) => v.version);
  return {
    problem:
      `no version of ${uses.name} matches ${uses.range} (published: ${live.join(', ') || 'none'}` +
      `${yanked.length ? `; yanked: ${yanked.join(', ')}` : ''})`,
  };
}

const EXPRESSION = /\$\{\{/;

/** Checks each step's `uses:` and `with:` against the catalog; returns errors and the pinned versions. */
export function checkComponentUses(
  doc: PipelineDocument,
  map: SourceMap,
  catalog: CatalogSnapshot,
): { errors: PipelineError[]; pins: Map<string, Pin> } {
  const errors: PipelineError[] = [];
  const pins = new Map<string, Pin>();
  const lists: Array<[string, StepDocument[]]> = [
    ['steps', doc.steps],
    ['finally', doc.finally ?? []],
  ];
  for (const [list, steps] of lists) {
    steps.forEach((step, index) => {
      if (step.uses === undefined) return;
      const at: PathSegment[] = [list, index];
      const resolved = resolveUses(catalog, splitUses(step.uses));
      if ('problem' in resolved) {
        errors.push(map.error([...at, 'uses'], resolved.problem));
        return;
      }
      const { version } = resolved;
      const label = `${splitUses(step.uses).name}@${version.version}`;
      errors.push(...checkWith(step.with, version.inputs, label, at, map));
      pins.set(step.id, {
        version: version.version,
        timeoutMs: version.timeout === undefined ? undefined : parseDuration(version.timeout),
      });
    });
  }
  return { errors, pins };
}

function checkWith(
  declared: Record<string, unknown> | undefined,
  inputs: ComponentInput[],
  label: string,
  at: PathSegment[],
  map: SourceMap,
): PipelineError[] {
  const errors: PipelineError[] = [];
  const given = declared ?? {};
  const byName = new Map(inputs.map((i) => [i.name, i]));
  for (const [key, value] of Object.entries(given)) {
    const input = byName.get(key);
    const path = [...at, 'with', key];
    if (!input) {
      const known = inputs.map((i) => i.name).join(', ') || 'none';
      errors.push(
        map.error(path, `unknown input ${key} of ${label} (its inputs: ${known})`, map.locateKey(path)),
      );
      continue;
    }
    if (typeof value === 'string' && EXPRESSION.test(value)) continue; // checked when it resolves
    const problem = literalProblem(input, value);
    if (problem) errors.push(map.error(path, `input ${key} of ${label}: ${problem}`));
  }
  for (const input of inputs) {
    if (input.required && input.default === undefined && !(input.name in given)) {
      const path = declared ? [...at, 'with'] : at;
      errors.push(map.error(path, `missing required input ${input.name} of ${label}`));
    }
  }
  return errors;
}

/**
 * Pins every `uses` node of a compiled plan to one version: from `pins` when the native
 * front end checked them, else resolved here (flow documents). Sets the component's default
 * timeout where the step has none, and lists the pins as `plan.components`.
 */
export function pinPlan(
  plan: ExecutionPlan,
  catalog: CatalogSnapshot,
  pins: Map<string, Pin> = new Map(),
): { plan: ExecutionPlan; errors: PipelineError[] } {
  const errors: PipelineError[] = [];
  const components: Record<string, string> = {};
  const pin = (node: PlanNode): PlanNode => {
    if (node.kind !== 'uses' || !node.uses) return node;
    let found = pins.get(node.id);
    if (!found) {
      const resolved = resolveUses(catalog, node.uses);
      if ('problem' in resolved) {
        errors.push({
          path: node.id,
          line: node.line ?? 1,
          col: 1,
          message: `step ${node.id}: ${resolved.problem}`,
        });
        return node;
      }
      const timeout = resolved.version.timeout;
      found = { version: resolved.version.version, timeoutMs: timeout ? parseDuration(timeout) : undefined };
    }
    components[node.id] = `${node.uses.name}@${found.version}`;
    const timeoutMs = node.timeoutMs ?? found.timeoutMs;
    return {
      ...node,
      uses: { ...node.uses, version: found.version },
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
    };
  };
  const pinned = { ...plan, nodes: plan.nodes.map(pin), finally: plan.finally.map(pin) };
  return { plan: Object.keys(components).length ? { ...pinned, components } : pinned, errors };
}

/** Values of declared inputs as the step sees them: given ones, else defaults. */
export function inputValues(
  inputs: readonly ComponentInput[],
  given: Record<string, string>,
  text: (value: unknown) => string,
): Record<string, string> {
  const values: Record<string, string> = {};
  for (const input of inputs) {
    if (input.name in given) values[input.name] = given[input.name]!;
    else if (input.default !== undefined) values[input.name] = text(input.default);
  }
  return values;
}

import { MAX_MATRIX_COMBINATIONS, matrixKey, matrixSize } from '../../matrix';
import type { PathSegment } from '../../errors';
import { celLiteral } from './expr-cel';
import type { MatrixRefs } from './refs';

/** The axis a reshaped matrix (include/exclude) runs on: one value per combination. */
export const COMBO_AXIS = 'combination';
const AXIS_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** A lookup table per axis is embedded in each reference; past this the expressions grow too large. */
const MAX_RESHAPED = 64;
/** GitHub's own limit of jobs one matrix generates; it bounds the include/exclude work too. */
const GITHUB_MAX_COMBINATIONS = 256;

type Scalar = string | number | boolean;
export interface MatrixResult {
  /** the native step's matrix */
  matrix: Record<string, Scalar[]>;
  refs: MatrixRefs;
}
export interface MatrixProblem {
  path: PathSegment[];
  message: string;
}

const isScalar = (v: unknown): v is Scalar => ['string', 'number', 'boolean'].includes(typeof v);

/**
 * strategy.matrix: plain axes run as the native matrix; include/exclude (and axis names that
 * are not identifiers, such as node-version) are applied here, at compile time, and the
 * resulting combinations become one axis whose values name them, with each `matrix.<axis>`
 * reference translated to a lookup by combination.
 */
export function translateMatrix(
  raw: Record<string, unknown> | string,
  at: PathSegment[],
  problems: MatrixProblem[],
): MatrixResult | undefined {
  if (typeof raw === 'string') {
    problems.push({
      path: at,
      message: 'a matrix computed by an expression is not supported; list its values',
    });
    return undefined;
  }
  const axes: Record<string, Scalar[]> = {};
  for (const [axis, values] of Object.entries(raw)) {
    if (axis === 'include' || axis === 'exclude') continue;
    if (!Array.isArray(values) || !values.every(isScalar)) {
      problems.push({
        path: [...at, axis],
        message: `matrix axis "${axis}" must be a list of strings, numbers or booleans`,
      });
    } else axes[axis] = values;
  }
  if (matrixSize(axes) > GITHUB_MAX_COMBINATIONS) {
    problems.push({
      path: at,
      message: `a matrix may have at most ${GITHUB_MAX_COMBINATIONS} combinations (as on GitHub)`,
    });
    return undefined;
  }
  const include = entries(raw.include, [...at, 'include'], problems);
  if ((include?.length ?? 0) > GITHUB_MAX_COMBINATIONS) {
    problems.push({
      path: [...at, 'include'],
      message: `at most ${GITHUB_MAX_COMBINATIONS} include entries`,
    });
    return undefined;
  }
  const exclude = entries(raw.exclude, [...at, 'exclude'], problems);
  // axes such as node-version are no identifiers the native matrix accepts: they go by combination too
  const plain = Object.keys(axes).every((a) => AXIS_NAME.test(a));
  if (!include && !exclude && plain) return { matrix: axes, refs: plainRefs(Object.keys(axes)) };
  const combos = reshape(axes, exclude ?? [], include ?? []);
  if (combos.length === 0) {
    problems.push({ path: at, message: 'the matrix has no combinations left after exclude' });
    return undefined;
  }
  if (combos.length > Math.min(MAX_RESHAPED, MAX_MATRIX_COMBINATIONS)) {
    problems.push({
      path: at,
      message: `a matrix with include/exclude may have at most ${MAX_RESHAPED} combinations, this one has ${combos.length}`,
    });
    return undefined;
  }
  return combinationMatrix(combos);
}

function entries(
  value: unknown,
  at: PathSegment[],
  problems: MatrixProblem[],
): Record<string, Scalar>[] | undefined {
  if (value === undefined) return undefined;
  const list = Array.isArray(value) ? value : [];
  if (!Array.isArray(value)) problems.push({ path: at, message: 'must be a list of mappings' });
  return list.flatMap((entry, i) => {
    const ok =
      entry && typeof entry === 'object' && !Array.isArray(entry) && Object.values(entry).every(isScalar);
    if (!ok)
      problems.push({
        path: [...at, i],
        message: 'each entry must map axis names to strings, numbers or booleans',
      });
    return ok ? [entry as Record<string, Scalar>] : [];
  });
}

function product(axes: Record<string, Scalar[]>): Record<string, Scalar>[] {
  let combos: Record<string, Scalar>[] = [{}];
  for (const [axis, values] of Object.entries(axes)) {
    combos = combos.flatMap((c) => values.map((v) => ({ ...c, [axis]: v })));
    if (combos.length > MAX_MATRIX_COMBINATIONS) break;
  }
  return Object.keys(axes).length === 0 ? [] : combos;
}

const matches = (combo: Record<string, Scalar>, part: Record<string, Scalar>) =>
  Object.entries(part).every(([k, v]) => String(combo[k]) === String(v));

/** GitHub's rules: exclude first; an include entry extends every combination whose original values it matches (values it added may be overwritten), else adds one. */
function reshape(
  axes: Record<string, Scalar[]>,
  exclude: Record<string, Scalar>[],
  include: Record<string, Scalar>[],
) {
  const combos = product(axes).filter((c) => !exclude.some((e) => matches(c, e)));
  const original = new Set(Object.keys(axes));
  for (const entry of include) {
    const own = Object.fromEntries(Object.entries(entry).filter(([k]) => original.has(k)));
    const targets = combos.filter((c) => matches(c, own));
    if (targets.length === 0) combos.push({ ...entry });
    for (const t of targets) Object.assign(t, entry);
  }
  return combos;
}

function plainRefs(axes: string[]): MatrixRefs {
  return { axes: new Set(axes), cel: (axis) => `matrix[${JSON.stringify(axis)}]` };
}

/** Combinations run as one axis naming each; `cel(axis)` looks the value up by combination. */
export function combinationMatrix(combos: Record<string, Scalar>[]): MatrixResult {
  const keys = combos.map((c) =>
    matrixKey(Object.fromEntries(Object.entries(c).map(([k, v]) => [k, String(v)]))),
  );
  const axes = new Set(combos.flatMap((c) => Object.keys(c)));
  return {
    matrix: { [COMBO_AXIS]: keys },
    refs: {
      axes,
      cel(axis) {
        const table = combos.map(
          (c, i) => `${celLiteral(keys[i]!)}: ${celLiteral(c[axis] === undefined ? '' : String(c[axis]))}`,
        );
        return `{${table.join(', ')}}[matrix[${JSON.stringify(COMBO_AXIS)}]]`;
      },
    },
  };
}

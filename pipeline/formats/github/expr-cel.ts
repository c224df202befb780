import { GhExprError, type GhExpr, type GhSegment } from './expr-parse';

/**
 * Translates a parsed GitHub expression into CEL that the platform's evaluator runs, using the
 * GitHub-compatible functions of cel-compat.ts (loose equality, truthiness, format, join...).
 * References are resolved by the caller's `RefResolver`, which knows which contexts exist where.
 */

/**
 * A reference as CEL source, or a shell variable (values only known inside a job's script,
 * with the CEL that approximates it from the job's start when there is one).
 */
export type ResolvedRef = { cel: string } | { shell: string; cel?: string };

export interface RefResolver {
  /** Throws GhExprError for a reference that is unknown or unsupported where it appears. */
  ref(root: string, path: GhSegment[], offset: number): ResolvedRef;
  /** CEL for success()/failure()/always()/cancelled(); throws where they are not allowed. */
  status(name: string, offset: number): string;
}

type Typed = { cel: string; bool: boolean };

const STATUS_FUNCTIONS = new Set(['success', 'failure', 'always', 'cancelled']);

export function celLiteral(value: string | number | boolean | null): string {
  if (value === null) return 'null';
  // braces escaped: the CEL is embedded in `${{ }}` templates, which end at the first `}}`
  if (typeof value === 'string')
    return JSON.stringify(value).replace(/[{}]/g, (c) => (c === '{' ? '\\u007b' : '\\u007d'));
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'double("NaN")';
    return Number.isInteger(value) && Math.abs(value) < 2 ** 53 ? String(value) : `double("${value}")`;
  }
  return String(value);
}

/** CEL for `expr`; `asBool` when the result is a condition (then && and || are boolean). */
export function toCel(expr: GhExpr, resolver: RefResolver, asBool: boolean): string {
  const t = translate(expr, resolver, asBool);
  return asBool && !t.bool ? `ghTruthy(${t.cel})` : t.cel;
}

function truthy(t: Typed): string {
  return t.bool ? t.cel : `ghTruthy(${t.cel})`;
}

function translate(e: GhExpr, r: RefResolver, asBool: boolean): Typed {
  switch (e.kind) {
    case 'literal':
      return { cel: celLiteral(e.value), bool: typeof e.value === 'boolean' };
    case 'ref': {
      const resolved = r.ref(e.root, e.path, e.offset);
      if ('shell' in resolved && resolved.cel === undefined) {
        throw new GhExprError(
          `${e.root}.* is only known inside the job's own script: use it in run: or a step's if:`,
          e.offset,
        );
      }
      return { cel: resolved.cel!, bool: false };
    }
    case 'not':
      return { cel: `!${truthy(translate(e.operand, r, true))}`, bool: true };
    case 'call':
      return call(e, r);
    case 'binary':
      return binary(e, r, asBool);
  }
}

function binary(e: Extract<GhExpr, { kind: 'binary' }>, r: RefResolver, asBool: boolean): Typed {
  if (e.op === '&&' || e.op === '||') {
    if (asBool) {
      const l = truthy(translate(e.left, r, true));
      const rt = truthy(translate(e.right, r, true));
      return { cel: `(${l} ${e.op} ${rt})`, bool: true };
    }
    return valueChain(e, r);
  }
  const l = translate(e.left, r, false).cel;
  const rt = translate(e.right, r, false).cel;
  if (e.op === '==') return { cel: `ghEq(${l}, ${rt})`, bool: true };
  if (e.op === '!=') return { cel: `!ghEq(${l}, ${rt})`, bool: true };
  return { cel: `ghCompare(${JSON.stringify(e.op)}, ${l}, ${rt})`, bool: true };
}

/**
 * `a || b || c` as a value: the first truthy operand, else the last; `&&`: the first falsy,
 * else the last. Folded from the right so each operand appears at most twice (linear size).
 */
function valueChain(e: Extract<GhExpr, { kind: 'binary' }>, r: RefResolver): Typed {
  const operands: GhExpr[] = [];
  const collect = (x: GhExpr) => {
    if (x.kind === 'binary' && x.op === e.op) {
      collect(x.left);
      collect(x.right);
    } else operands.push(x);
  };
  collect(e);
  const typed = operands.map((x) => translate(x, r, false));
  let acc = typed[typed.length - 1]!.cel;
  for (let i = typed.length - 2; i >= 0; i--) {
    const x = typed[i]!.cel;
    acc = e.op === '||' ? `(ghTruthy(${x}) ? ${x} : ${acc})` : `(ghTruthy(${x}) ? ${acc} : ${x})`;
  }
  return { cel: acc, bool: typed.every((t) => t.bool) };
}

function call(e: Extract<GhExpr, { kind: 'call' }>, r: RefResolver): Typed {
  const name = e.name.toLowerCase();
  const args = e.args.map((a) => translate(a, r, false).cel);
  const arity = (min: number, max = min) => {
    if (args.length < min || args.length > max) {
      const want = min === max ? `${min}` : `${min} to ${max}`;
      throw new GhExprError(`${e.name}() takes ${want} argument(s), got ${args.length}`, e.offset);
    }
  };
  if (STATUS_FUNCTIONS.has(name)) {
    arity(0);
    return { cel: r.status(name, e.offset), bool: true };
  }
  switch (name) {
    case 'contains':
      arity(2);
      return { cel: `ghContains(${args[0]}, ${args[1]})`, bool: true };
    case 'startswith':
      arity(2);
      return { cel: `ghStartsWith(${args[0]}, ${args[1]})`, bool: true };
    case 'endswith':
      arity(2);
      return { cel: `ghEndsWith(${args[0]}, ${args[1]})`, bool: true };
    case 'format':
      if (args.length < 1) arity(1, 99);
      return { cel: `ghFormat(ghText(${args[0]}), [${args.slice(1).join(', ')}])`, bool: false };
    case 'join':
      arity(1, 2);
      return { cel: `ghJoin(${args[0]}, ${args[1] ?? '","'})`, bool: false };
    case 'tojson':
      arity(1);
      return { cel: `ghToJSON(${args[0]})`, bool: false };
    case 'fromjson':
      arity(1);
      return { cel: `ghFromJSON(${args[0]})`, bool: false };
    case 'hashfiles':
      throw new GhExprError(
        "hashFiles() reads the job's files: it is only available in run: scripts",
        e.offset,
      );
    default:
      throw new GhExprError(
        `unknown function ${e.name}() (supported: success, failure, always, cancelled, contains, startsWith, endsWith, format, join, toJSON, fromJSON, hashFiles)`,
        e.offset,
      );
  }
}

/** `a['b']['c']` for a path of names; computed indexes translated too. */
export function celPath(base: string, path: GhSegment[], resolver: RefResolver, offset: number): string {
  let out = base;
  for (const seg of path) {
    if ('star' in seg) throw new GhExprError('object filters (.*) are not supported', offset);
    out += 'name' in seg ? `[${JSON.stringify(seg.name)}]` : `[${translate(seg.index, resolver, false).cel}]`;
  }
  return out;
}

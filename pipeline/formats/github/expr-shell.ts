import { celLiteral, toCel, type RefResolver } from './expr-cel';
import { GhExprError, type GhExpr } from './expr-parse';

/**
 * A step's `if:` as a shell condition for the job's script. A step's condition may read what
 * only the script knows (the job's status so far, steps.<id>.outputs, env set through
 * $GITHUB_ENV); those parts become shell tests, everything else a CEL template the platform
 * evaluates into a variable ("true"/"false") before the job starts.
 */

const STATUS_SHELL: Record<string, string> = {
  success: '[ "$co_failed" = 0 ]',
  failure: '[ "$co_failed" != 0 ]',
  always: 'true',
  cancelled: 'false',
};

function mentions(e: GhExpr, test: (e: GhExpr) => boolean): boolean {
  if (test(e)) return true;
  switch (e.kind) {
    case 'not':
      return mentions(e.operand, test);
    case 'binary':
      return mentions(e.left, test) || mentions(e.right, test);
    case 'call':
      return e.args.some((a) => mentions(a, test));
    case 'ref':
      return e.path.some((s) => 'index' in s && mentions(s.index, test));
    default:
      return false;
  }
}

const isStatus = (e: GhExpr) => e.kind === 'call' && e.name.toLowerCase() in STATUS_SHELL;

export function stepCondition(expr: GhExpr, resolver: RefResolver): string {
  const isShellRef = (e: GhExpr) => e.kind === 'ref' && 'shell' in resolver.ref(e.root, e.path, e.offset);
  const body = condition(expr, resolver, isShellRef);
  // like GitHub: a condition without a status function runs only while the job succeeds
  return mentions(expr, isStatus) ? body : `${STATUS_SHELL.success} && { ${body}; }`;
}

function condition(e: GhExpr, r: RefResolver, isShellRef: (e: GhExpr) => boolean): string {
  if (isStatus(e)) {
    if (e.kind === 'call' && e.args.length > 0)
      throw new GhExprError(`${e.name}() takes no arguments`, e.offset);
    return STATUS_SHELL[(e as { name: string }).name.toLowerCase()]!;
  }
  const special = (x: GhExpr) => isStatus(x) || isShellRef(x);
  if (!mentions(e, special)) return `[ "\${{ ${toCel(e, r, true)} }}" = true ]`;
  if (e.kind === 'not') return `! { ${condition(e.operand, r, isShellRef)}; }`;
  if (e.kind === 'binary' && (e.op === '&&' || e.op === '||')) {
    return `{ ${condition(e.left, r, isShellRef)}; } ${e.op} { ${condition(e.right, r, isShellRef)}; }`;
  }
  if (e.kind === 'ref') return `[ -n "${word(e, r, isShellRef)}" ]`;
  if (e.kind === 'binary' && (e.op === '==' || e.op === '!=') && !mentions(e, isStatus)) {
    const test = `co_eq "${word(e.left, r, isShellRef)}" "${word(e.right, r, isShellRef)}"`;
    return e.op === '==' ? test : `! ${test}`;
  }
  if (
    e.kind === 'call' &&
    ['contains', 'startswith', 'endswith'].includes(e.name.toLowerCase()) &&
    e.args.length === 2
  ) {
    if (!mentions(e, isStatus)) {
      const [a, b] = e.args.map((x) => word(x, r, isShellRef));
      return `co_${e.name.toLowerCase()} "${a}" "${b}"`;
    }
  }
  const offset = 'offset' in e ? e.offset : 0;
  throw new GhExprError(
    "in a step's if:, values of steps.*, env.* and job.status can only be tested for truth, compared with == or !=, or passed to contains/startsWith/endsWith; status functions combine with && || !",
    offset,
  );
}

/** A value as the inside of a double-quoted shell word. */
function word(e: GhExpr, r: RefResolver, isShellRef: (e: GhExpr) => boolean): string {
  if (e.kind === 'ref' && isShellRef(e)) {
    const resolved = r.ref(e.root, e.path, e.offset) as { shell: string };
    return `\${${resolved.shell}}`;
  }
  if (e.kind === 'literal') return `\${{ ${celLiteral(e.value)} }}`;
  if (mentions(e, (x) => isShellRef(x) || isStatus(x))) {
    throw new GhExprError(
      "this part of a step's if: mixes script values in a way that is not supported",
      'offset' in e ? e.offset : 0,
    );
  }
  return `\${{ ghText(${toCel(e, r, false)}) }}`;
}

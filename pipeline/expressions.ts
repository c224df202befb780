import { celEnv, parse } from '@bufbuild/cel';
import { TRIGGER_STRING_FIELDS } from './trigger-context';
import { GITHUB_CEL_FUNCS } from './formats/cel-compat';

type Expr = ReturnType<typeof parse>['expr'];

/** Static budget that keeps every expression cheap to evaluate inside workflow code. */
export const EXPRESSION_LIMITS = {
  /** Characters of CEL source. */
  maxLength: 2048,
  /** Nesting of brackets and parentheses (the parser recurses on them). */
  maxNesting: 32,
  /** AST nodes after macro expansion. */
  maxNodes: 400,
  /** Comprehensions (all/exists/map/filter...) may not nest: cost stays linear in the data. */
  maxComprehensionDepth: 1,
  /** Comprehensions per expression. */
  maxComprehensions: 4,
} as const;

/** What an expression may reference, from the point of view of one step. */
export interface ExpressionScope {
  /** The step that holds the expression; undefined for pipeline-level fields. */
  stepId?: string;
  params: ReadonlySet<string>;
  /** All main and finally step ids. */
  stepIds: ReadonlySet<string>;
  /** Steps this one may read: its transitive needs (all main steps for finally steps). */
  ancestors: { has(id: string): boolean };
  matrixAxes?: ReadonlySet<string>;
  isFinally: boolean;
  /** params declared `secret: true`: usable only as a whole `${{ params.NAME }}` (validate.ts) */
  secretParams?: ReadonlySet<string>;
}

/** A problem at `offset` characters into the expression source. */
export interface ExpressionProblem {
  offset: number;
  message: string;
}

export interface Template {
  /** Index of `${{` in the string. */
  start: number;
  /** Index just past `}}`. */
  end: number;
  /** Trimmed CEL source and its index in the string. */
  source: string;
  sourceStart: number;
}

/** Finds every `${{ expr }}` in a string value. */
export function findTemplates(value: string): { templates: Template[]; problems: ExpressionProblem[] } {
  const templates: Template[] = [];
  const problems: ExpressionProblem[] = [];
  let from = 0;
  for (;;) {
    const start = value.indexOf('${{', from);
    if (start < 0) break;
    const close = value.indexOf('}}', start + 3);
    if (close < 0) {
      problems.push({ offset: start, message: 'unterminated ${{ expression: missing }}' });
      break;
    }
    const inner = value.slice(start + 3, close);
    const lead = inner.length - inner.trimStart().length;
    const source = inner.trim();
    if (source === '') problems.push({ offset: start, message: 'empty ${{ }} expression' });
    else templates.push({ start, end: close + 2, source, sourceStart: start + 3 + lead });
    from = close + 2;
  }
  return { templates, problems };
}

/** A whole-string `${{ expr }}` in an `if:` is accepted as the bare expression. */
export function unwrapCondition(value: string): { source: string; offset: number } {
  const { templates } = findTemplates(value);
  const only = templates[0];
  if (templates.length === 1 && only && only.start === 0 && only.end === value.trim().length) {
    return { source: only.source, offset: only.sourceStart };
  }
  return { source: value, offset: 0 };
}

/** A parsed AST with source offsets by node id, or the first problem. */
type Parsed =
  { ok: true; expr: Expr; positions: Map<bigint, number> } | { ok: false; problem: ExpressionProblem };
const MAX_CACHED_PARSES = 1000;
/** Parse results by source: pipelines repeat expressions, and the parser is the slow part. */
const parses = new Map<string, Parsed>();

/** Parses CEL source within the static budget. Results are shared: never mutate them. */
export function parseExpression(source: string): Parsed {
  let parsed = parses.get(source);
  if (!parsed) {
    parsed = parseUncached(source);
    if (parses.size >= MAX_CACHED_PARSES) parses.clear();
    parses.set(source, parsed);
  }
  return parsed;
}

function parseUncached(source: string): Parsed {
  if (source.length > EXPRESSION_LIMITS.maxLength) {
    return fail(0, `expression is longer than ${EXPRESSION_LIMITS.maxLength} characters`);
  }
  const deep = nestingOverflow(source);
  if (deep >= 0)
    return fail(deep, `expression nests brackets more than ${EXPRESSION_LIMITS.maxNesting} deep`);
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(source);
  } catch (e) {
    const err = e as { location?: { start?: { offset?: number } }; message?: string };
    const offset = err.location?.start?.offset ?? 0;
    const message = String(err.message ?? e).replace(/^<input>:\d+:\d+: /, '');
    return fail(offset, `CEL syntax error: ${message}`);
  }
  const positions = new Map<bigint, number>();
  for (const [id, offset] of Object.entries(parsed.sourceInfo?.positions ?? {})) {
    positions.set(BigInt(id), Number(offset));
  }
  return { ok: true, expr: parsed.expr, positions };
}

function fail(offset: number, message: string): Parsed {
  return { ok: false, problem: { offset, message } };
}

function nestingOverflow(source: string): number {
  let depth = 0;
  let quote = '';
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '(' || c === '[' || c === '{') {
      if (++depth > EXPRESSION_LIMITS.maxNesting) return i;
    } else if (c === ')' || c === ']' || c === '}') depth--;
  }
  return -1;
}

// GitHub-compatible functions: translated GitHub Actions expressions run in the same environment
const env = celEnv({ funcs: GITHUB_CEL_FUNCS });
/** Operators and macro helpers the parser emits that the function registry does not list. */
const BUILTIN_OPERATORS = new Set(['_?_:_', '_&&_', '_||_', '@not_strictly_false', '_[_]', '_[?_]', '_?._']);

interface Segment {
  name: string;
  id: bigint;
}

/** `steps.a.outputs['x']` -> root `steps`, segments a, outputs, x; undefined if not a plain path. */
function pathOf(e: Expr): { root: Segment; segments: Segment[] } | undefined {
  const segments: Segment[] = [];
  let cur: Expr | undefined = e;
  while (cur) {
    const k: Expr['exprKind'] = cur.exprKind;
    if (k.case === 'identExpr') {
      return { root: { name: k.value.name, id: cur.id }, segments: segments.reverse() };
    } else if (k.case === 'selectExpr') {
      segments.push({ name: k.value.field, id: cur.id });
      cur = k.value.operand;
    } else if (
      k.case === 'callExpr' &&
      k.value.function === '_[_]' &&
      !k.value.target &&
      k.value.args.length === 2
    ) {
      const index = k.value.args[1]!.exprKind;
      if (index.case !== 'constExpr' || index.value.constantKind.case !== 'stringValue') return undefined;
      segments.push({ name: index.value.constantKind.value, id: cur.id });
      cur = k.value.args[0];
    } else return undefined;
  }
  return undefined;
}

type PathOf = NonNullable<ReturnType<typeof pathOf>>;
type At = (id: bigint, message: string) => void;

/** Reports what a `params.`, `run.`, `steps.`… path refers to that its scope lacks. */
function checkPath(path: PathOf, scope: ExpressionScope, at: At): void {
  const [first] = path.segments;
  const { root } = path;
  switch (root.name) {
    case 'params':
      if (first && !scope.params.has(first.name)) at(first.id, `unknown param "${first.name}"`);
      else if (first && scope.secretParams?.has(first.name)) {
        at(
          first.id,
          `param "${first.name}" is secret: use it only as a whole \${{ params.${first.name} }} in env:, with: or run:`,
        );
      }
      return;
    case 'secrets':
      at(
        root.id,
        'secrets can only be used as a whole value, ${{ secrets.NAME }}, in env: or with: (pass it to run: through env:)',
      );
      return;
    case 'env':
      return;
    case 'run':
      if (!first) return;
      if (first.name === 'status') {
        if (!scope.isFinally) at(first.id, 'run.status is only available in finally steps');
      } else if (first.name !== 'id' && first.name !== 'number') {
        at(first.id, `run has no field "${first.name}" (use run.id, run.number, run.status)`);
      }
      return;
    case 'trigger':
      return checkTriggerPath(path.segments, at);
    case 'matrix':
      if (!scope.matrixAxes) at(root.id, 'matrix is only available in a step with a matrix');
      else if (first && !scope.matrixAxes.has(first.name)) at(first.id, `matrix has no axis "${first.name}"`);
      return;
    case 'steps':
      return checkStepsPath(path, scope, at);
  }
}

/** `steps.<id>.outputs|status`: the step exists and is among the needs of the step asking. */
function checkStepsPath(path: PathOf, scope: ExpressionScope, at: At): void {
  const [first, second] = path.segments;
  const { root } = path;
  if (!first) return at(root.id, 'steps must be followed by a step id, e.g. steps.build.outputs.version');
  const target = first.name;
  if (scope.stepId === undefined) {
    return at(first.id, `pipeline-level values cannot reference steps.${target}`);
  }
  if (!scope.stepIds.has(target)) {
    const dashed = [...scope.stepIds].some((id) => id.startsWith(`${target}-`));
    const hint = dashed ? ` (write ids containing "-" as steps['my-step'])` : '';
    return at(first.id, `unknown step "${target}" in steps.${target}${hint}`);
  }
  if (!scope.ancestors.has(target)) {
    return at(
      first.id,
      `step "${scope.stepId}" references steps.${target}, which is not among its needs (direct or transitive)`,
    );
  }
  if (second && second.name !== 'outputs' && second.name !== 'status') {
    at(second.id, `steps.${target} has no field "${second.name}" (use outputs or status)`);
  }
}

/** What a walk over one expression carries: its scope, where problems go, and its size so far. */
interface Walk {
  scope: ExpressionScope;
  at: At;
  nodes: number;
  comprehensions: number;
}

/** Checks every name, function and macro below `e`, counting nodes and macros. */
function walk(e: Expr | undefined, locals: ReadonlySet<string>, depth: number, w: Walk): void {
  if (!e) return;
  w.nodes++;
  const path = pathOf(e);
  if (path && !locals.has(path.root.name)) {
    w.nodes += path.segments.length;
    if (!ROOTS.has(path.root.name)) {
      w.at(path.root.id, `unknown name "${path.root.name}" (use params, env, run, steps, matrix or trigger)`);
    } else checkPath(path, w.scope, w.at);
    return;
  }
  const k: Expr['exprKind'] = e.exprKind;
  switch (k.case) {
    case 'selectExpr':
      return walk(k.value.operand, locals, depth, w);
    case 'callExpr': {
      const fn = k.value.function;
      if (!BUILTIN_OPERATORS.has(fn) && !env.funcs.find(fn)) w.at(e.id, `unknown function "${fn}"`);
      walk(k.value.target, locals, depth, w);
      for (const a of k.value.args) walk(a, locals, depth, w);
      return;
    }
    case 'listExpr':
      for (const el of k.value.elements) walk(el, locals, depth, w);
      return;
    case 'structExpr':
      if (k.value.messageName)
        w.at(e.id, `message construction (${k.value.messageName}{...}) is not supported`);
      for (const entry of k.value.entries) {
        if (entry.keyKind.case === 'mapKey') walk(entry.keyKind.value, locals, depth, w);
        walk(entry.value, locals, depth, w);
      }
      return;
    case 'comprehensionExpr': {
      const c = k.value;
      w.comprehensions++;
      if (depth + 1 > EXPRESSION_LIMITS.maxComprehensionDepth) {
        w.at(e.id, 'macros such as all(), exists(), map() and filter() may not be nested');
      }
      walk(c.iterRange, locals, depth, w);
      walk(c.accuInit, locals, depth, w);
      const inner = new Set(locals);
      for (const v of [c.iterVar, c.iterVar2, c.accuVar]) if (v) inner.add(v);
      walk(c.loopCondition, inner, depth + 1, w);
      walk(c.loopStep, inner, depth + 1, w);
      walk(c.result, inner, depth + 1, w);
      return;
    }
    default:
      return;
  }
}

/** Parses and checks one expression against its scope; every problem, with offsets into the source. */
export function checkExpression(source: string, scope: ExpressionScope): ExpressionProblem[] {
  const parsed = parseExpression(source);
  if (!parsed.ok) return [parsed.problem];
  const problems: ExpressionProblem[] = [];
  const at: At = (id, message) => {
    const offset = parsed.positions.get(id) ?? 0;
    // Selects and indexes are positioned at their `.` or `[`; point at the name after it.
    const c = source[offset];
    problems.push({ offset: c === '.' || c === '[' ? offset + 1 : offset, message });
  };
  const w: Walk = { scope, at, nodes: 0, comprehensions: 0 };
  walk(parsed.expr, new Set(), 0, w);
  if (w.nodes > EXPRESSION_LIMITS.maxNodes) {
    problems.push({
      offset: 0,
      message: `expression is too large (more than ${EXPRESSION_LIMITS.maxNodes} nodes)`,
    });
  }
  if (w.comprehensions > EXPRESSION_LIMITS.maxComprehensions) {
    problems.push({
      offset: 0,
      message: `expression uses more than ${EXPRESSION_LIMITS.maxComprehensions} macros such as all() or map()`,
    });
  }
  return problems;
}

const ROOTS = new Set(['params', 'env', 'run', 'matrix', 'steps', 'secrets', 'trigger']);

/** Fields of `trigger` (what started the run); `payload` is the webhook body, free-form. */
export const TRIGGER_FIELDS = [...TRIGGER_STRING_FIELDS, 'payload', 'run'] as const;
/** Fields of `trigger.run`, the upstream run of a pipeline trigger. */
export const TRIGGER_RUN_FIELDS = ['project', 'pipeline', 'id', 'number', 'status', 'outputs'] as const;

function checkTriggerPath(segments: Segment[], at: (id: bigint, message: string) => void): void {
  const [first, second] = segments;
  if (!first) return;
  if (!(TRIGGER_FIELDS as readonly string[]).includes(first.name)) {
    return at(first.id, `trigger has no field "${first.name}" (use ${TRIGGER_FIELDS.join(', ')})`);
  }
  if (first.name === 'run' && second && !(TRIGGER_RUN_FIELDS as readonly string[]).includes(second.name)) {
    at(second.id, `trigger.run has no field "${second.name}" (use ${TRIGGER_RUN_FIELDS.join(', ')})`);
  }
}

import {
  celEnv,
  isCelError,
  isCelList,
  isCelMap,
  isCelUint,
  parse,
  plan,
  type CelInput,
} from '@bufbuild/cel';
import { checkExpression, findTemplates, unwrapCondition, type ExpressionScope } from './expressions';
import { triggerBinding, type TriggerContext } from './trigger-context';
import { GITHUB_CEL_FUNCS } from './formats/cel-compat';

/** Everything an expression can see while a run executes. */
export interface ExpressionContext {
  params: Record<string, string>;
  env: Record<string, string>;
  run: { id: string; number: number; status?: string };
  steps: Record<string, { outputs: Record<string, string>; status: string }>;
  matrix?: Record<string, string>;
  trigger?: TriggerContext;
}

/** An expression failed to evaluate (missing output, type mismatch, bad syntax...). */
export class ExpressionError extends Error {
  constructor(
    message: string,
    readonly expression: string,
  ) {
    super(message);
    this.name = 'ExpressionError';
  }
}

type Program = (bindings: Record<string, CelInput>) => unknown;

// GitHub-compatible functions: translated GitHub Actions expressions run in the same environment
const env = celEnv({ funcs: GITHUB_CEL_FUNCS });
const MAX_CACHED_PROGRAMS = 1000;
/** Parsed and planned programs by source; pure memoisation, safe in workflow code. */
const programs = new Map<string, Program | ExpressionError>();

class Everything extends Set<string> {
  override has(): boolean {
    return true;
  }
}
const ANYTHING = new Everything();
/** Evaluation re-applies the static budget (size, nesting, no nested macros) but trusts references. */
const PERMISSIVE_SCOPE: ExpressionScope = {
  stepId: '*',
  params: ANYTHING,
  stepIds: ANYTHING,
  ancestors: ANYTHING,
  matrixAxes: ANYTHING,
  isFinally: true,
};

function programFor(source: string): Program {
  let program = programs.get(source);
  if (program === undefined) {
    program = compileProgram(source);
    if (programs.size >= MAX_CACHED_PROGRAMS) programs.clear();
    programs.set(source, program);
  }
  if (program instanceof ExpressionError) throw program;
  return program;
}

function compileProgram(source: string): Program | ExpressionError {
  const problem = checkExpression(source, PERMISSIVE_SCOPE)[0];
  if (problem) return new ExpressionError(problem.message, source);
  try {
    return plan(env, parse(source)) as Program;
  } catch (e) {
    return new ExpressionError(`cannot compile expression: ${(e as Error).message}`, source);
  }
}

function toMap(record: Record<string, string> | undefined): Map<string, string> {
  return new Map(Object.entries(record ?? {}));
}

function bindings(ctx: ExpressionContext): Record<string, CelInput> {
  const steps = new Map<string, CelInput>();
  for (const [id, step] of Object.entries(ctx.steps ?? {})) {
    steps.set(
      id,
      new Map<string, CelInput>([
        ['outputs', toMap(step.outputs)],
        ['status', step.status],
      ]),
    );
  }
  const run = new Map<string, CelInput>([
    ['id', ctx.run.id],
    ['number', BigInt(Math.trunc(ctx.run.number))],
  ]);
  if (ctx.run.status !== undefined) run.set('status', ctx.run.status);
  return {
    params: toMap(ctx.params),
    env: toMap(ctx.env),
    run,
    steps,
    matrix: toMap(ctx.matrix),
    trigger: triggerBinding(ctx.trigger),
  };
}

/** Evaluates CEL source to a plain JS value (lists -> arrays, maps -> objects, ints -> numbers). */
export function evaluateExpression(expr: string, ctx: ExpressionContext): unknown {
  const result = programFor(expr)(bindings(ctx));
  if (isCelError(result)) throw new ExpressionError(`${expr}: ${result.message}`, expr);
  return toPlain(result);
}

/** Evaluates an `if:` condition; anything but a bool is an error. */
export function evaluateCondition(expr: string, ctx: ExpressionContext): boolean {
  const { source } = unwrapCondition(expr);
  const value = evaluateExpression(source, ctx);
  if (typeof value !== 'boolean') {
    throw new ExpressionError(`${source}: condition must be a bool, got ${describe(value)}`, source);
  }
  return value;
}

/** Replaces every `${{ expr }}` with its value as text. */
export function renderTemplate(template: string, ctx: ExpressionContext): string {
  const { templates, problems } = findTemplates(template);
  if (problems[0]) throw new ExpressionError(problems[0].message, template);
  let out = '';
  let last = 0;
  for (const t of templates) {
    out += template.slice(last, t.start) + stringify(evaluateExpression(t.source, ctx));
    last = t.end;
  }
  return out + template.slice(last);
}

/** Text form of a value: strings as-is, numbers and bools via String, the rest as JSON. */
export function stringify(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  if (value === null || value === undefined) return '';
  return JSON.stringify(value);
}

function toPlain(value: unknown): unknown {
  if (typeof value === 'bigint')
    return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (isCelUint(value)) return toPlain(value.value);
  if (isCelList(value)) return Array.from(value, toPlain);
  if (isCelMap(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of value) {
      const key = String(isCelUint(k) ? k.value : k);
      Object.defineProperty(out, key, {
        value: toPlain(v),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  if (value instanceof Uint8Array) return Array.from(value);
  if (value !== null && typeof value === 'object') return String(value);
  return value;
}

function describe(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'list' : typeof value;
}

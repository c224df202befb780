import { findTemplates } from '../../expressions';
import { toCel, type RefResolver } from './expr-cel';
import { GhExprError, parseGhExpression, type GhExpr } from './expr-parse';

/** Reports a problem `offset` characters into the string being translated. */
export type OnProblem = (offset: number, message: string) => void;

const WHOLE_SECRET = /^secrets\.([A-Za-z_][A-Za-z0-9_]*)$/;

function parseAt(source: string, sourceStart: number, onProblem: OnProblem): GhExpr | undefined {
  try {
    return parseGhExpression(source);
  } catch (e) {
    if (!(e instanceof GhExprError)) throw e;
    onProblem(sourceStart + e.offset, e.message);
    return undefined;
  }
}

/** Runs `fn`, turning a GhExprError into a located problem; undefined on error. */
export function guarded<T>(fn: () => T, sourceStart: number, onProblem: OnProblem): T | undefined {
  try {
    return fn();
  } catch (e) {
    if (!(e instanceof GhExprError)) throw e;
    onProblem(sourceStart + e.offset, e.message);
    return undefined;
  }
}

/**
 * A string field rendered by the platform (env:, with:): each `${{ }}` becomes a CEL template;
 * a whole `${{ secrets.NAME }}` stays as it is (the platform resolves it inside the step).
 */
export function celTemplate(value: string, resolver: RefResolver, onProblem: OnProblem): string {
  const { templates, problems } = findTemplates(value);
  for (const p of problems) onProblem(p.offset, p.message);
  let out = '';
  let last = 0;
  for (const t of templates) {
    out += value.slice(last, t.start);
    last = t.end;
    if (WHOLE_SECRET.test(t.source)) {
      out += `\${{ ${t.source} }}`;
      continue;
    }
    const expr = parseAt(t.source, t.sourceStart, onProblem);
    const cel = expr && guarded(() => toCel(expr, resolver, false), t.sourceStart, onProblem);
    out += cel === undefined ? '' : `\${{ ${cel} }}`;
  }
  return out + value.slice(last);
}

/** An `if:` evaluated by the platform: a CEL condition (the `${{ }}` wrapper is optional). */
export function celCondition(value: string, resolver: RefResolver, onProblem: OnProblem): string | undefined {
  const { source, start } = bareCondition(value);
  const expr = parseAt(source, start, onProblem);
  return expr && guarded(() => toCel(expr, resolver, true), start, onProblem);
}

/** The expression of an `if:` and where it starts in the value. */
export function bareCondition(value: string): { source: string; start: number } {
  const { templates } = findTemplates(value);
  const only = templates[0];
  if (templates.length === 1 && only && only.start === value.length - value.trimStart().length) {
    if (only.end === value.trimEnd().length) return { source: only.source, start: only.sourceStart };
  }
  return { source: value.trim(), start: value.length - value.trimStart().length };
}

export interface ScriptHooks {
  /** env name that carries secret NAME into the job (added to the job's env) */
  secret(name: string): string;
}

/**
 * Script text (a run: body, or a value exported by the script): each `${{ }}` becomes a shell
 * variable reference, never the value itself, so no value can inject shell code. References
 * the script knows (steps.*, env.*) read its own variables; the rest is a CEL template that the
 * platform evaluates into an environment variable before the job starts.
 */
export function scriptTemplate(
  value: string,
  resolver: RefResolver,
  hooks: ScriptHooks,
  onProblem: OnProblem,
  literal: (text: string) => string = (text) => text,
): string {
  const { templates, problems } = findTemplates(value);
  for (const p of problems) onProblem(p.offset, p.message);
  let out = '';
  let last = 0;
  for (const t of templates) {
    out += literal(value.slice(last, t.start));
    last = t.end;
    const secret = WHOLE_SECRET.exec(t.source);
    if (secret) {
      out += `\${${hooks.secret(secret[1]!)}}`;
      continue;
    }
    const expr = parseAt(t.source, t.sourceStart, onProblem);
    const piece = expr && guarded(() => scriptPiece(expr, resolver), t.sourceStart, onProblem);
    out += piece ?? '';
  }
  return out + literal(value.slice(last));
}

/**
 * A value exported by the script (a step's env, working-directory, a job output) as the inside
 * of a double-quoted shell word: the text the author wrote stays text (no `$`, backquote or
 * backslash of it is live), only the references the translation made expand.
 */
export function scriptWord(
  value: string,
  resolver: RefResolver,
  hooks: ScriptHooks,
  onProblem: OnProblem,
): string {
  return scriptTemplate(value, resolver, hooks, onProblem, (text) =>
    text.replace(/[\\"`$]/g, (c) => `\\${c}`),
  );
}

function scriptPiece(expr: GhExpr, resolver: RefResolver): string {
  if (expr.kind === 'ref') {
    const resolved = resolver.ref(expr.root, expr.path, expr.offset);
    if ('shell' in resolved) return `\${${resolved.shell}}`;
    return `\${{ ${resolved.cel} }}`;
  }
  if (expr.kind === 'call' && expr.name.toLowerCase() === 'hashfiles') {
    const patterns = expr.args.map((a) => {
      if (a.kind !== 'literal' || typeof a.value !== 'string') {
        throw new GhExprError('hashFiles() takes string literals', expr.offset);
      }
      return shellSingleQuote(a.value);
    });
    return `$(co_hash_files ${patterns.join(' ')})`;
  }
  return `\${{ ${toCel(expr, resolver, false)} }}`;
}

export function shellSingleQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

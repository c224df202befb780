import {
  celFunc,
  CelScalar,
  isCelList,
  isCelMap,
  isCelUint,
  type CelFunc,
  type CelInput,
} from '@bufbuild/cel';

/**
 * CEL functions that give translated GitHub Actions expressions GitHub's semantics: loose,
 * case-insensitive equality, truthiness, and the functions GitHub offers that CEL lacks.
 * Registered in the one CEL environment (evaluate.ts, expressions.ts), so a translated `if:`
 * runs in the interpreter like any native condition. Every function is pure and linear in
 * the size of its arguments.
 */

/** Largest text fromJSON parses and toJSON/join/format produce, in characters. */
const MAX_TEXT = 1024 * 1024;

type Plain = string | number | boolean | null | Plain[] | { [key: string]: Plain };

function plain(value: unknown, depth = 0): Plain {
  if (depth > 64) return null;
  if (typeof value === 'bigint') return Number(value);
  if (isCelUint(value)) return Number(value.value);
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (isCelList(value)) return Array.from(value, (v) => plain(v, depth + 1));
  if (isCelMap(value)) {
    const out: { [key: string]: Plain } = {};
    for (const [k, v] of value) {
      Object.defineProperty(out, String(isCelUint(k) ? k.value : k), {
        value: plain(v, depth + 1),
        enumerable: true,
      });
    }
    return out;
  }
  return null;
}

function toCel(value: unknown, depth = 0): CelInput {
  if (value === null || value === undefined || depth > 64) return null;
  if (typeof value === 'number') return Number.isSafeInteger(value) ? BigInt(value) : value;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map((v) => toCel(v, depth + 1));
  if (typeof value === 'object') {
    return new Map<string, CelInput>(Object.entries(value).map(([k, v]) => [k, toCel(v, depth + 1)]));
  }
  return String(value);
}

export function truthy(v: Plain): boolean {
  if (v === null) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0 && !Number.isNaN(v);
  if (typeof v === 'string') return v !== '';
  return true;
}

function toNumber(v: Plain): number {
  if (v === null) return 0;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return v.trim() === '' ? 0 : Number(v.trim());
  return NaN;
}

/** GitHub's `==`: strings case-insensitively, otherwise both sides as numbers. */
export function looseEquals(a: Plain, b: Plain): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase();
  if (typeof a === 'object' && a !== null) return false;
  if (typeof b === 'object' && b !== null) return false;
  return toNumber(a) === toNumber(b);
}

function compare(op: string, a: Plain, b: Plain): boolean {
  const strings = typeof a === 'string' && typeof b === 'string';
  const x = strings ? (a as string).toLowerCase() : toNumber(a);
  const y = strings ? (b as string).toLowerCase() : toNumber(b);
  if (op === '<') return x < y;
  if (op === '<=') return x <= y;
  if (op === '>') return x > y;
  return x >= y;
}

/** GitHub's string coercion (format, join, contains on strings). */
export function text(v: Plain): string {
  if (v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return 'Object';
}

function format(pattern: string, args: Plain): string {
  const values = Array.isArray(args) ? args : [];
  const out = pattern.replace(/\{\{|\}\}|\{(\d+)\}/g, (m, index?: string) => {
    if (m === '{{') return '{';
    if (m === '}}') return '}';
    return text(values[Number(index)] ?? null);
  });
  return out.slice(0, MAX_TEXT);
}

function fromJson(source: string): CelInput {
  if (source.length > MAX_TEXT) return null;
  try {
    return toCel(JSON.parse(source));
  } catch {
    return null;
  }
}

/** `**` any path, `*` and `?` within one path segment; everything else literal. */
export function globToRegExp(glob: string): RegExp {
  const piece = (m: string): string => {
    if (m === '**/') return '(?:.*/)?';
    if (m === '**') return '.*';
    if (m === '*') return '[^/]*';
    if (m === '?') return '[^/]';
    return `\\${m}`;
  };
  return new RegExp(`^${glob.slice(0, 256).replace(/\*\*\/?|\*|\?|[.+^${}()|[\]\\]/g, piece)}$`);
}

/** Files a push changed (commits[].added/modified/removed of GitHub's and GitLab's push payloads), or undefined. */
function changedFiles(payload: Plain): string[] | undefined {
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) return undefined;
  const commits = payload.commits;
  if (!Array.isArray(commits)) return undefined;
  const files: string[] = [];
  for (const c of commits.slice(0, 2000)) {
    if (!c || typeof c !== 'object' || Array.isArray(c)) continue;
    for (const k of ['added', 'modified', 'removed']) {
      const list = c[k];
      if (Array.isArray(list)) for (const f of list) if (typeof f === 'string') files.push(f);
    }
  }
  return files;
}

/** GitLab's rules:changes: true when the trigger is no push (as GitLab does) or a changed file matches. */
function changesMatch(payload: Plain, globs: Plain): boolean {
  const files = changedFiles(payload);
  if (files === undefined) return true;
  const patterns = (Array.isArray(globs) ? globs : []).slice(0, 50).map((g) => globToRegExp(text(g)));
  return files.some((f) => patterns.some((p) => p.test(f)));
}

const DYN = CelScalar.DYN;
const dyn2 = [DYN, DYN] as const;

export const GITHUB_CEL_FUNCS: CelFunc[] = [
  celFunc('ghTruthy', [DYN], CelScalar.BOOL, (v) => truthy(plain(v))),
  celFunc('ghEq', dyn2, CelScalar.BOOL, (a, b) => looseEquals(plain(a), plain(b))),
  celFunc('ghCompare', [CelScalar.STRING, DYN, DYN], CelScalar.BOOL, (op, a, b) =>
    compare(op, plain(a), plain(b)),
  ),
  celFunc('ghContains', dyn2, CelScalar.BOOL, (s, item) => {
    const haystack = plain(s);
    const needle = plain(item);
    if (Array.isArray(haystack)) return haystack.some((v) => looseEquals(v, needle));
    return text(haystack).toLowerCase().includes(text(needle).toLowerCase());
  }),
  celFunc('ghStartsWith', dyn2, CelScalar.BOOL, (s, p) =>
    text(plain(s))
      .toLowerCase()
      .startsWith(text(plain(p)).toLowerCase()),
  ),
  celFunc('ghEndsWith', dyn2, CelScalar.BOOL, (s, p) =>
    text(plain(s))
      .toLowerCase()
      .endsWith(text(plain(p)).toLowerCase()),
  ),
  celFunc('ghFormat', [CelScalar.STRING, DYN], CelScalar.STRING, (f, args) => format(f, plain(args))),
  celFunc('ghJoin', dyn2, CelScalar.STRING, (list, sep) => {
    const items = plain(list);
    const joined = Array.isArray(items) ? items.map(text).join(text(plain(sep))) : text(items);
    return joined.slice(0, MAX_TEXT);
  }),
  celFunc('ghToJSON', [DYN], CelScalar.STRING, (v) => JSON.stringify(plain(v), null, 2).slice(0, MAX_TEXT)),
  celFunc('ghFromJSON', [DYN], DYN, (s) => fromJson(text(plain(s)))),
  celFunc('ghText', [DYN], CelScalar.STRING, (v) => text(plain(v))),
  celFunc('glChanges', dyn2, CelScalar.BOOL, (payload, globs) => changesMatch(plain(payload), plain(globs))),
];

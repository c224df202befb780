import type { PathSegment } from '../../errors';
import { parseYaml } from '../../parse';
import type { Problem } from '../github/scope';

/**
 * `include: local` and `extends:`. Compiling is pure and reads no files, so the caller passes
 * the contents of the files the document includes (`files`: repository path -> text); the API
 * takes them in the request, the CLI reads them from the repository it runs in. A missing file
 * is a located error at its include entry.
 */
export const MAX_INCLUDES = 50;
export const MAX_INCLUDE_DEPTH = 10;
export const MAX_EXTENDS_DEPTH = 10;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** GitLab's merge: mappings merge key by key, anything else is replaced. */
export function deepMerge(base: Obj, over: Obj, depth = 0): Obj {
  const out: Obj = { ...base };
  for (const [k, v] of Object.entries(over)) {
    out[k] = isObj(v) && isObj(out[k]) && depth < 32 ? deepMerge(out[k] as Obj, v, depth + 1) : v;
  }
  return out;
}

export interface Included {
  doc: Obj;
  /** top-level key -> the include entry it came from (absent: the document itself) */
  from: Map<string, PathSegment[]>;
}

export function resolveIncludes(main: Obj, files: Record<string, string>, problems: Problem[]): Included {
  const from = new Map<string, PathSegment[]>();
  let count = 0;
  const expand = (doc: Obj, at: PathSegment[] | undefined, depth: number): Obj => {
    let merged: Obj = {};
    const entries = doc.include === undefined ? [] : Array.isArray(doc.include) ? doc.include : [doc.include];
    entries.forEach((entry, i) => {
      const path: PathSegment[] = at ?? (Array.isArray(doc.include) ? ['include', i] : ['include']);
      const file = localPath(entry, path, problems);
      if (file === undefined) return;
      if (++count > MAX_INCLUDES || depth >= MAX_INCLUDE_DEPTH) {
        problems.push({
          path,
          message: `too many includes (at most ${MAX_INCLUDES}, nested ${MAX_INCLUDE_DEPTH} deep)`,
        });
        return;
      }
      const source = files[file];
      if (source === undefined) {
        problems.push({
          path,
          message: `included file ${file} was not supplied (the API takes it in "files"; the CLI reads it from the repository)`,
        });
        return;
      }
      const parsed = parseYaml(source);
      if (!parsed.ok || !isObj(parsed.value)) {
        const first = parsed.ok ? { line: 1, col: 1, message: 'must be a mapping' } : parsed.errors[0]!;
        problems.push({ path, message: `${file} ${first.line}:${first.col}: ${first.message}` });
        return;
      }
      const inner = expand(parsed.value, path, depth + 1);
      for (const key of Object.keys(inner)) if (!from.has(key)) from.set(key, path);
      merged = deepMerge(merged, inner);
    });
    const own = { ...doc };
    delete own.include;
    // the including document wins over what it includes
    for (const key of Object.keys(own)) if (at === undefined) from.delete(key);
    return deepMerge(merged, own);
  };
  return { doc: expand(main, undefined, 0), from };
}

function localPath(entry: unknown, path: PathSegment[], problems: Problem[]): string | undefined {
  let file: unknown = entry;
  if (isObj(entry)) {
    const kind = Object.keys(entry).find((k) => ['remote', 'template', 'project', 'component'].includes(k));
    if (kind) {
      problems.push({ path, message: `include: ${kind} is not supported (only local files)` });
      return undefined;
    }
    file = entry.local;
  }
  if (typeof file !== 'string' || file === '') {
    problems.push({ path, message: 'an include must name a local file' });
    return undefined;
  }
  if (/^https?:\/\//.test(file)) {
    problems.push({ path, message: 'include: remote URLs are not supported (only local files)' });
    return undefined;
  }
  const normal = file.replace(/^\/+/, '');
  if (/[*?[]/.test(normal) || normal.split('/').includes('..')) {
    problems.push({ path, message: 'include: wildcards and ".." are not supported in local paths' });
    return undefined;
  }
  return normal;
}

/** A job with its `extends:` chain merged in (bases first); cycles and depth are located errors. */
export function resolveExtends(name: string, doc: Obj, problems: Problem[], at: PathSegment[]): Obj {
  const visit = (job: string, trail: string[]): Obj => {
    const body = doc[job];
    if (!isObj(body)) {
      problems.push({
        path: [...at, 'extends'],
        message: `extends "${job}", which is not a job or template in this file`,
      });
      return {};
    }
    if (trail.includes(job)) {
      problems.push({ path: [...at, 'extends'], message: `extends cycle: ${[...trail, job].join(' -> ')}` });
      return {};
    }
    if (trail.length > MAX_EXTENDS_DEPTH) {
      problems.push({
        path: [...at, 'extends'],
        message: `extends is nested more than ${MAX_EXTENDS_DEPTH} deep`,
      });
      return {};
    }
    const bases =
      body.extends === undefined ? [] : Array.isArray(body.extends) ? body.extends : [body.extends];
    let merged: Obj = {};
    for (const base of bases) merged = deepMerge(merged, visit(String(base), [...trail, job]));
    const own = { ...body };
    delete own.extends;
    return deepMerge(merged, own);
  };
  return visit(name, []);
}

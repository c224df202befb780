import { z } from 'zod';
import { artifactPathProblem } from './artifact-paths';
import type { PathSegment } from './errors';
import { findTemplates } from './expressions';

/** Keys become database keys and URL query values: bounded, like the globs hashFiles walks with. */
export const MAX_CACHE_KEY_LENGTH = 400;
export const MAX_CACHE_PATHS = 32;
export const MAX_RESTORE_KEYS = 10;
export const MAX_HASH_GLOB_LENGTH = 256;

/** `cache:` of a step, as written. */
export const cacheSchema = z.strictObject({
  key: z.string().min(1).max(MAX_CACHE_KEY_LENGTH),
  paths: z.array(z.string().min(1).max(1024)).min(1).max(MAX_CACHE_PATHS),
  'restore-keys': z.array(z.string().min(1).max(MAX_CACHE_KEY_LENGTH)).max(MAX_RESTORE_KEYS).optional(),
});
export type CacheDocument = z.infer<typeof cacheSchema>;

/**
 * `cache:` compiled: `key` and `restoreKeys` are templates whose `${{ hashFiles(...) }}` calls
 * became `${CO_HASH_n}`, computed by the step activity over the workspace (`hashFiles`: n -> globs).
 */
export const planCacheSchema = z.strictObject({
  key: z.string(),
  restoreKeys: z.array(z.string()),
  paths: z.array(z.string()),
  hashFiles: z.record(z.string(), z.array(z.string())),
});
export type PlanCache = z.infer<typeof planCacheSchema>;

const QUOTED = String.raw`'[^'\\]*'|"[^"\\]*"`;
const HASH_FILES = new RegExp(String.raw`^hashFiles\(\s*((?:${QUOTED})(?:\s*,\s*(?:${QUOTED}))*)\s*\)$`);

/** The globs of a `hashFiles('a', "b")` call, or undefined when the source is something else. */
export function hashFilesGlobs(source: string): string[] | undefined {
  const m = HASH_FILES.exec(source.trim());
  if (!m) return undefined;
  return [...m[1]!.matchAll(new RegExp(QUOTED, 'g'))].map((q) => q[0].slice(1, -1));
}

/** Replaces each `${{ hashFiles(...) }}` by `${CO_HASH_n}`; other templates stay for the workflow to render. */
export function extractHashFiles(template: string, hashFiles: Record<string, string[]>): string {
  let out = '';
  let last = 0;
  for (const t of findTemplates(template).templates) {
    const globs = hashFilesGlobs(t.source);
    if (!globs) continue;
    const name = `CO_HASH_${Object.keys(hashFiles).length + 1}`;
    hashFiles[name] = globs;
    out += `${template.slice(last, t.start)}\${${name}}`;
    last = t.end;
  }
  return out + template.slice(last);
}

export function buildCache(cache: CacheDocument): PlanCache {
  const hashFiles: Record<string, string[]> = {};
  const key = extractHashFiles(cache.key, hashFiles);
  const restoreKeys = (cache['restore-keys'] ?? []).map((k) => extractHashFiles(k, hashFiles));
  return { key, restoreKeys, paths: [...cache.paths], hashFiles };
}

function globProblem(glob: string): string | undefined {
  if (glob.length === 0) return 'is empty';
  if (glob.length > MAX_HASH_GLOB_LENGTH) return `is longer than ${MAX_HASH_GLOB_LENGTH} characters`;
  return artifactPathProblem(glob);
}

/**
 * Located errors of a step's `cache:`; `checkTemplate` checks the expressions left once the
 * hashFiles calls are taken out (a key is shown to every viewer: no secrets in it).
 */
export function checkCache(
  cache: CacheDocument,
  path: PathSegment[],
  err: (path: PathSegment[], message: string) => void,
  checkTemplate: (path: PathSegment[], value: string) => void,
): void {
  const at = [...path, 'cache'];
  cache.paths.forEach((p, i) => {
    const problem = artifactPathProblem(p);
    if (problem) err([...at, 'paths', i], `cache path "${p}" ${problem}`);
  });
  const keys: [PathSegment[], string][] = [
    [[...at, 'key'], cache.key],
    ...(cache['restore-keys'] ?? []).map((k, i): [PathSegment[], string] => [[...at, 'restore-keys', i], k]),
  ];
  for (const [keyPath, template] of keys) {
    const hashFiles: Record<string, string[]> = {};
    const rest = extractHashFiles(template, hashFiles);
    for (const glob of Object.values(hashFiles).flat()) {
      const problem = globProblem(glob);
      if (problem) err(keyPath, `hashFiles pattern "${glob.slice(0, 80)}" ${problem}`);
    }
    if (/secrets\./.test(rest)) err(keyPath, 'a cache key is shown to every viewer: it may not use secrets');
    checkTemplate(keyPath, rest);
  }
}

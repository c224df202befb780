import type { PathSegment } from '../../errors';
import type { GitlabCache } from './schema';

type Report = (path: PathSegment[], message: string) => void;

/** The native `cache:` a GitLab job's cache becomes: restored before its script, saved after it succeeds. */
export interface StepCache {
  key: string;
  paths: string[];
  'restore-keys'?: string[];
}

/** What `$NAME` in a cache key may name: a value known when the cache is restored, as CEL or text. */
export type KeyVariable = (name: string) => { cel: string } | { text: string } | undefined;

const REFUSED: [keyof GitlabCache, (c: GitlabCache) => boolean, string][] = [
  [
    'policy',
    (c) => c.policy !== undefined && c.policy !== 'pull-push',
    'cache: policy pull and push are not supported: the cache is restored before the job and saved after it succeeds (pull-push)',
  ],
  [
    'when',
    (c) => c.when !== undefined && c.when !== 'on_success',
    'cache: when: on_failure and always are not supported: the cache is saved only when the job succeeds (on_success)',
  ],
  ['untracked', (c) => c.untracked === true, 'cache: untracked is not supported: list the paths to cache'],
  ['unprotect', (c) => c.unprotect === true, 'cache: unprotect is not supported: caches are per pipeline'],
];

/** `$NAME` and `${NAME}` in a key -> `${{ cel }}` or the value's text; an unknown name is reported. */
function keyText(text: string, variable: KeyVariable, at: PathSegment[], problem: Report): string {
  if (text.includes('${{'))
    problem(at, '"${{" is reserved for platform expressions and cannot appear in a cache key');
  return text.replace(/\$(?:\{([A-Za-z_]\w*)\}|([A-Za-z_]\w*))/g, (whole, braced?: string, bare?: string) => {
    const name = (braced ?? bare)!;
    const value = variable(name);
    if (value === undefined) {
      problem(
        at,
        `cache key: $${name} is not known when the cache is restored (use predefined CI_ variables, top-level or job variables)`,
      );
      return whole;
    }
    return 'cel' in value ? `\${{ ${value.cel} }}` : value.text;
  });
}

/** A job's `cache:` (one cache, or a list holding one) -> the step's cache, or undefined. */
export function gitlabCache(
  cache: GitlabCache | GitlabCache[],
  at: PathSegment[],
  variable: KeyVariable,
  problem: Report,
): StepCache | undefined {
  if (Array.isArray(cache) && cache.length > 1) problem([...at, 1], 'cache: one cache per job is supported');
  const one = Array.isArray(cache) ? cache[0] : cache;
  const path = Array.isArray(cache) ? [...at, 0] : at;
  if (!one) return undefined;
  for (const [key, refused, why] of REFUSED) if (refused(one)) problem([...path, key], why);
  if (!one.paths || one.paths.length === 0)
    problem(path, 'cache: needs paths (the files to keep between runs)');
  let key: string;
  if (typeof one.key === 'object') {
    one.key.files.forEach((f, i) => {
      if (/['\\]/.test(f)) problem([...path, 'key', 'files', i], "cache: key: files may not contain ' or \\");
    });
    const hash = `\${{ hashFiles(${one.key.files.map((f) => `'${f}'`).join(', ')}) }}`;
    key =
      one.key.prefix === undefined
        ? hash
        : `${keyText(one.key.prefix, variable, [...path, 'key', 'prefix'], problem)}-${hash}`;
  } else key = keyText(String(one.key ?? 'default'), variable, [...path, 'key'], problem);
  const restore = (one.fallback_keys ?? []).map((k, i) =>
    keyText(k, variable, [...path, 'fallback_keys', i], problem),
  );
  return { key, paths: one.paths ?? [], ...(restore.length > 0 && { 'restore-keys': restore }) };
}

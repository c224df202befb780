import { hashFilesGlobs } from '../../cache';
import type { PathSegment } from '../../errors';
import { findTemplates } from '../../expressions';
import type { RefResolver } from './expr-cel';
import type { Step } from './schema';
import { celTemplate } from './templates';

type Report = (path: PathSegment[], message: string, offset?: number) => void;

/** The native `cache:` an actions/cache step becomes. */
export interface StepCache {
  key: string;
  paths: string[];
  'restore-keys'?: string[];
}

/** Lines of a multi-line `with:` input, as actions/cache reads them (blank lines dropped). */
function lines(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return String(value)
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
}

/**
 * A cache key or restore key: `${{ hashFiles('glob') }}` stays for the step activity to compute
 * over the workspace; every other expression is translated like env: values.
 */
function keyTemplate(value: string, resolver: RefResolver, at: PathSegment[], problem: Report): string {
  let out = '';
  let last = 0;
  const rest = (end: number) => {
    const start = last;
    out += celTemplate(value.slice(start, end), resolver, (o, m) => problem(at, m, start + o));
  };
  for (const t of findTemplates(value).templates) {
    if (!hashFilesGlobs(t.source)) continue;
    rest(t.start);
    out += `\${{ ${t.source.trim()} }}`;
    last = t.end;
  }
  rest(value.length);
  return out;
}

/** `uses: actions/cache` -> the job step's cache: restored before its script, saved after it succeeds. */
export function actionsCache(
  step: Step,
  path: PathSegment[],
  resolver: RefResolver,
  problem: Report,
): StepCache {
  const w = step.with ?? {};
  const at = (key: string) => [...path, 'with', key];
  if (w.key === undefined || w.key === null || String(w.key).trim() === '')
    problem([...path, 'with'], 'cache needs with.key');
  const paths = lines(w.path);
  if (paths.length === 0) problem([...path, 'with'], 'cache needs with.path');
  const key = keyTemplate(String(w.key ?? ''), resolver, at('key'), problem);
  const restore = lines(w['restore-keys']).map((k) => keyTemplate(k, resolver, at('restore-keys'), problem));
  paths.forEach((p) => {
    if (p.includes('${{')) problem(at('path'), 'cache: expressions in path are not supported');
  });
  return { key, paths, ...(restore.length > 0 && { 'restore-keys': restore }) };
}

import type { z } from 'zod';
import type { PathSegment, PipelineError } from './errors';
import type { SourceMap } from './parse';

/** Turns zod issues into positioned errors; unknown keys point at the key itself. */
export function schemaErrors(error: z.ZodError, map: SourceMap): PipelineError[] {
  const out: PipelineError[] = [];
  for (const issue of error.issues) {
    const path = issue.path.filter((p): p is PathSegment => typeof p !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const at = [...path, key];
        out.push(map.error(at, `unknown key "${key}"`, map.locateKey(at)));
      }
    } else {
      out.push(map.error(path, describe(issue)));
    }
  }
  return out;
}

function describe(issue: z.core.$ZodIssue): string {
  // Messages the schema wrote itself already name the value and the fix.
  if (issue.message.startsWith('invalid duration')) return issue.message;
  switch (issue.code) {
    case 'invalid_union': {
      const expected = issue.errors.flat().flatMap((i) => (i.code === 'invalid_type' ? [i.expected] : []));
      if (expected.length === issue.errors.length && expected.length > 0) {
        return `expected ${expected.map(article).join(' or ')}, got ${received(issue.input)}`;
      }
      const first = issue.errors.flat()[0];
      return first ? describe(first) : 'invalid value';
    }
    case 'invalid_type':
      if (issue.input === undefined) return `missing required field, expected ${article(issue.expected)}`;
      return `expected ${article(issue.expected)}, got ${received(issue.input)}`;
    case 'too_small':
      if (issue.origin === 'array')
        return `needs at least ${issue.minimum} item${issue.minimum === 1 ? '' : 's'}`;
      if (issue.origin === 'string')
        return issue.minimum === 1 ? 'must not be empty' : `must be at least ${issue.minimum} characters`;
      return `must be at least ${issue.minimum}`;
    case 'too_big':
      if (issue.origin === 'array') return `allows at most ${issue.maximum} items`;
      if (issue.origin === 'string') return `must be at most ${issue.maximum} characters`;
      return `must be at most ${issue.maximum}`;
    default:
      return issue.message.replace(/^Invalid input: /, '').replace(/^Invalid /, 'invalid ');
  }
}

function article(type: string): string {
  if (type === 'boolean') return 'a bool';
  if (type === 'object') return 'a mapping';
  if (type === 'array') return 'a list';
  if (type === 'record') return 'a mapping';
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function received(input: unknown): string {
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'object') return 'a mapping';
  if (typeof input === 'string')
    return `the string ${JSON.stringify(input.length > 40 ? `${input.slice(0, 40)}...` : input)}`;
  return `${typeof input === 'boolean' ? 'the bool' : typeof input === 'number' ? 'the number' : typeof input} ${String(input)}`;
}

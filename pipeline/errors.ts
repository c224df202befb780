/** One problem found in a pipeline document; path '' means the whole document. */
export interface PipelineError {
  path: string;
  line: number;
  col: number;
  message: string;
}

export type PathSegment = string | number;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** Formats ['steps', 2, 'needs', 0] as `steps[2].needs[0]`. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) out = appendPath(out, seg);
  return out;
}

/** Extends a formatted path by one segment. */
export function appendPath(prefix: string, seg: PathSegment): string {
  if (typeof seg === 'number') return `${prefix}[${seg}]`;
  if (IDENTIFIER.test(seg)) return prefix === '' ? seg : `${prefix}.${seg}`;
  return `${prefix}[${JSON.stringify(seg)}]`;
}

/** Most errors reported for one document: past this, finding more only costs time. */
export const MAX_ERRORS = 100;

/** The first MAX_ERRORS (sorted) errors and, when there were more, one where the list stops. */
export function capErrors(errors: readonly PipelineError[]): PipelineError[] {
  if (errors.length <= MAX_ERRORS) return [...errors];
  const last = errors[MAX_ERRORS - 1]!;
  return [
    ...errors.slice(0, MAX_ERRORS),
    {
      path: '',
      line: last.line,
      col: last.col,
      message: `more than ${MAX_ERRORS} errors; only the first ${MAX_ERRORS} are listed`,
    },
  ];
}

/** Sorts by position, then path, then message, and drops exact duplicates. */
export function sortErrors(errors: readonly PipelineError[]): PipelineError[] {
  const seen = new Set<string>();
  const unique: PipelineError[] = [];
  for (const e of errors) {
    const key = `${e.line}:${e.col}:${e.path}:${e.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    unique.push(e);
  }
  return unique.sort(
    (a, b) =>
      a.line - b.line ||
      a.col - b.col ||
      (a.path < b.path ? -1 : a.path > b.path ? 1 : 0) ||
      (a.message < b.message ? -1 : a.message > b.message ? 1 : 0),
  );
}

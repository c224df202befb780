/**
 * Secret masking, shared by the step activity (logs, outputs) and the API (service check
 * answers): every occurrence of a value, its lines and its base64 forms becomes `***`.
 */

/** Values shorter than this are not masked (too many false hits). */
const MIN_SECRET_CHARS = 4;

/**
 * Base64 text that encodes `value` wherever it sits in a larger encoded string: one form per
 * byte offset modulo 3, trimmed to the characters that depend on `value` alone.
 */
export function base64Forms(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8');
  // the whole encoding, padding included, masks as one piece when the value is printed alone
  const forms: string[] = [bytes.toString('base64')];
  for (let offset = 0; offset < 3; offset++) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    const first = Math.ceil((8 * offset) / 6);
    const end = Math.floor((8 * (offset + bytes.length)) / 6);
    const form = encoded.slice(first, end);
    if (form.length >= MIN_SECRET_CHARS) forms.push(form);
  }
  return forms;
}

/**
 * The texts to mask for one secret: itself, each line of a multi-line value (and its lines
 * joined, as a text masked across its line breaks sees them), and its base64 forms.
 */
export function maskedForms(value: string): string[] {
  const lines = value.includes('\n') ? value.split(/\r?\n/) : [];
  const joined = lines.length ? [lines.join('')] : [];
  return [value, ...lines, ...joined, ...base64Forms(value)];
}

/** `line` with each [start, end) of `cuts` (in order, apart) replaced by `***`. */
function replaceRanges(line: string, cuts: Array<[number, number]>): string {
  let out = '';
  let last = 0;
  for (const [start, end] of cuts) {
    out += `${line.slice(last, start)}***`;
    last = end;
  }
  return out + line.slice(last);
}

/**
 * Masks a text of several lines, including a secret that runs on across line breaks (a
 * heredoc output that prints it in pieces): every piece of it becomes `***`, lines stay lines.
 */
function maskLines(text: string, pattern: RegExp): string {
  const parts = text.split('\n');
  const ends = parts.map((p) => (p.endsWith('\r') ? '\r' : ''));
  const lines = parts.map((p, i) => (ends[i] ? p.slice(0, -1) : p));
  const starts: number[] = [];
  let offset = 0;
  for (const line of lines) {
    starts.push(offset);
    offset += line.length;
  }
  const cuts: Array<Array<[number, number]>> = lines.map(() => []);
  for (const m of lines.join('').matchAll(pattern)) {
    let from = m.index;
    const to = from + m[0].length;
    let i = lastAtOrBefore(starts, from);
    for (; from < to && i < lines.length; i++) {
      const lineEnd = starts[i]! + lines[i]!.length;
      if (from >= lineEnd) continue;
      const end = Math.min(to, lineEnd);
      cuts[i]!.push([from - starts[i]!, end - starts[i]!]);
      from = end;
    }
  }
  return lines.map((line, i) => replaceRanges(line, cuts[i]!) + ends[i]).join('\n');
}

/** The last index whose value is at most `at` (values in ascending order, the first 0). */
function lastAtOrBefore(sorted: number[], at: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (sorted[mid]! <= at) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function masksOf(values: Iterable<string>): string[] {
  const forms = new Set<string>();
  for (const v of values) for (const f of maskedForms(v)) if (f.length >= MIN_SECRET_CHARS) forms.add(f);
  return [...forms].sort((a, b) => b.length - a.length);
}

export interface Masker {
  /** a line, or a text of several lines (a secret across its line breaks is masked too) */
  (text: string): string;
  /**
   * Masks a secret that starts at the end of `before` and continues at the start of `after`
   * (a long line cut into pieces, or output split between two lines); both, each masked whole.
   */
  across(before: string, after: string): [string, string];
  /** Where a secret crossing from `before` into `after` starts in `before` and ends in `after`. */
  spanning(before: string, after: string): { before: number; after: number } | undefined;
  /** true when nothing is masked */
  readonly empty: boolean;
}

/** Replaces every occurrence of a secret value (and its encodings and lines) with `***`. */
export function secretMasker(values: Iterable<string>): Masker {
  const secrets = masksOf(values);
  if (secrets.length === 0) {
    const identity = ((line: string) => line) as Masker;
    return Object.assign(identity, {
      across: (a: string, b: string): [string, string] => [a, b],
      spanning: () => undefined,
      empty: true,
    });
  }
  const source = secrets.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
  const pattern = new RegExp(source, 'g');
  const mask = ((text: string) =>
    text.includes('\n') ? maskLines(text, pattern) : text.replace(pattern, '***')) as Masker;
  const longest = secrets[0]!.length;
  const spanning = (before: string, after: string) => {
    const head = before.slice(-(longest - 1));
    const joined = head + after.slice(0, longest - 1);
    let found: { before: number; after: number } | undefined;
    for (const m of joined.matchAll(new RegExp(source, 'g'))) {
      const start = m.index;
      const end = start + m[0].length;
      if (start < head.length && end > head.length)
        found = { before: before.length - head.length + start, after: end - head.length };
    }
    return found;
  };
  return Object.assign(mask, {
    empty: false,
    spanning,
    across(before: string, after: string): [string, string] {
      const cut = spanning(before, after);
      if (!cut) return [mask(before), mask(after)];
      return [`${mask(before.slice(0, cut.before))}***`, `***${mask(after.slice(cut.after))}`];
    },
  });
}

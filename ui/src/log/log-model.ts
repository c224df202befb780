import { parseAnsi, plainText, type AnsiStyle, type Segment } from './ansi';

/** A log line as the live stream sends it. */
export interface RawLine {
  seq: number;
  attempt: number;
  stream: string;
  line: string;
  at?: string;
}

export interface LogLine {
  /** 1-based line number, the anchor `#L<n>` */
  n: number;
  key: string;
  stream: string;
  at?: string;
  segments: Segment[];
  /** the text without escapes: what search matches */
  text: string;
  /** `group`: a `::group::` header; `end`: `::endgroup::` (not shown) */
  kind: 'line' | 'group' | 'end';
  /** the number of the group header this line belongs to */
  group?: number;
}

/** The parsed log: lines, the open group and the ANSI style that carries from one line to the next. */
export interface LogModel {
  lines: LogLine[];
  openGroup?: number;
  style: AnsiStyle;
}

export const EMPTY_LOG: LogModel = { lines: [], style: {} };

const GROUP = /^::group::(.*)$/;
const END_GROUP = /^::endgroup::\s*$/;

/** Appends raw lines; `::group::title` opens a group (closing any open one), `::endgroup::` closes it. */
export function appendLines(model: LogModel, raw: RawLine[]): LogModel {
  const lines = model.lines.slice();
  let { openGroup, style } = model;
  for (const r of raw) {
    const n = lines.length + 1;
    const parsed = parseAnsi(r.line, style);
    style = parsed.style;
    const text = plainText(parsed.segments);
    const base = { n, key: `${r.attempt}-${r.seq}`, stream: r.stream, at: r.at };
    const group = GROUP.exec(text);
    if (group) {
      openGroup = n;
      lines.push({ ...base, kind: 'group', text: group[1]!, segments: [{ text: group[1]!, style: {} }] });
    } else if (END_GROUP.test(text)) {
      lines.push({ ...base, kind: 'end', text: '', segments: [], group: openGroup });
      openGroup = undefined;
    } else {
      lines.push({ ...base, kind: 'line', text, segments: parsed.segments, group: openGroup });
    }
  }
  return { lines, openGroup, style };
}

/** The lines on screen: `::endgroup::` markers hidden, lines of collapsed groups folded away. */
export function visibleLines(lines: LogLine[], expanded: ReadonlySet<number>): LogLine[] {
  return lines.filter((l) => l.kind !== 'end' && (l.group === undefined || expanded.has(l.group)));
}

/** Numbers of the lines whose text contains `query` (case-insensitive, plain text, bounded). */
export function findMatches(lines: LogLine[], query: string): number[] {
  const q = query.slice(0, 200).toLowerCase();
  if (!q) return [];
  return lines.filter((l) => l.kind !== 'end' && l.text.toLowerCase().includes(q)).map((l) => l.n);
}

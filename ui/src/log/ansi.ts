/**
 * A bounded parser of ANSI SGR escapes (colours, bold, dim, italic, underline) into styled
 * segments. Other escape sequences are dropped. It walks each line once, so a hostile line costs
 * time linear in its length; lines are rendered as text, never as HTML.
 */
export interface AnsiStyle {
  fg?: string;
  bg?: string;
  bold?: boolean;
  dim?: boolean;
  italic?: boolean;
  underline?: boolean;
}

export interface Segment {
  text: string;
  style: AnsiStyle;
}

/** The 16 basic colours, readable on the log's dark background. */
const BASIC = [
  '#9aa1ad',
  '#ef6b73',
  '#8cc265',
  '#e0b45b',
  '#5aa7f0',
  '#c678dd',
  '#4cc1cf',
  '#d7dae0',
  '#7f8796',
  '#ff8a92',
  '#a5e075',
  '#f0cd78',
  '#7cc0ff',
  '#de95f0',
  '#6fdbe8',
  '#ffffff',
];

function cube(n: number): string {
  if (n < 16) return BASIC[n]!;
  if (n >= 232) {
    const v = 8 + (n - 232) * 10;
    return `rgb(${v},${v},${v})`;
  }
  const i = n - 16;
  const level = (x: number) => (x === 0 ? 0 : 55 + x * 40);
  return `rgb(${level(Math.floor(i / 36))},${level(Math.floor(i / 6) % 6)},${level(i % 6)})`;
}

/** `38;5;n` or `38;2;r;g;b` starting at codes[i]; returns the colour and how many codes it used. */
function extended(codes: number[], i: number): [string | undefined, number] {
  const mode = codes[i + 1];
  if (mode === 5) {
    const n = codes[i + 2];
    return [n !== undefined && n >= 0 && n <= 255 ? cube(n) : undefined, 3];
  }
  if (mode === 2) {
    const [r, g, b] = [codes[i + 2], codes[i + 3], codes[i + 4]].map((v) =>
      Math.min(255, Math.max(0, v ?? 0)),
    );
    return [`rgb(${r},${g},${b})`, 5];
  }
  return [undefined, 1];
}

/** Applies one SGR sequence's codes to the current style. */
export function applySgr(style: AnsiStyle, codes: number[]): AnsiStyle {
  let s = { ...style };
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i]!;
    if (c === 0) s = {};
    else if (c === 1) s.bold = true;
    else if (c === 2) s.dim = true;
    else if (c === 3) s.italic = true;
    else if (c === 4) s.underline = true;
    else if (c === 22) s.bold = s.dim = undefined;
    else if (c === 23) s.italic = undefined;
    else if (c === 24) s.underline = undefined;
    else if (c >= 30 && c <= 37) s.fg = BASIC[c - 30];
    else if (c >= 90 && c <= 97) s.fg = BASIC[c - 90 + 8];
    else if (c === 39) s.fg = undefined;
    else if (c >= 40 && c <= 47) s.bg = BASIC[c - 40];
    else if (c >= 100 && c <= 107) s.bg = BASIC[c - 100 + 8];
    else if (c === 49) s.bg = undefined;
    else if (c === 38 || c === 48) {
      const [colour, used] = extended(codes, i);
      if (c === 38) s.fg = colour;
      else s.bg = colour;
      i += used - 1;
    }
  }
  return s;
}

const ESC = '\u001b';
/** The end of a CSI sequence: its final byte (0x40–0x7e). */
function csiEnd(line: string, from: number): number {
  for (let j = from; j < line.length && j < from + 64; j++) {
    const code = line.charCodeAt(j);
    if (code >= 0x40 && code <= 0x7e) return j;
  }
  return -1;
}

/** Splits a line into styled segments; `style` is the style the line starts in (from lines before). */
export function parseAnsi(line: string, style: AnsiStyle = {}): { segments: Segment[]; style: AnsiStyle } {
  const segments: Segment[] = [];
  let text = '';
  let current = style;
  const push = () => {
    if (text) segments.push({ text, style: current });
    text = '';
  };
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (ch !== ESC) {
      text += ch;
      continue;
    }
    if (line[i + 1] !== '[') {
      i += 1; // a two-byte escape (ESC c, ESC =, ...): dropped
      continue;
    }
    const end = csiEnd(line, i + 2);
    if (end < 0) break; // an unterminated sequence: the rest is not text
    if (line[end] === 'm') {
      push();
      const params = line.slice(i + 2, end);
      current = applySgr(current, params === '' ? [0] : params.split(/[;:]/).map((p) => Number(p) || 0));
    }
    i = end;
  }
  push();
  return { segments, style: current };
}

/** The text of a line without its escapes (for search and copy). */
export function plainText(segments: Segment[]): string {
  return segments.map((s) => s.text).join('');
}

import type { CSSProperties, ReactNode } from 'react';
import type { AnsiStyle, Segment } from './ansi';

/** http(s) URLs; the character class is linear to match, trailing punctuation is left as text. */
const URL_PATTERN = /\bhttps?:\/\/[^\s<>"'`]+/g;
const TRAILING = /[.,;:!?)\]}]+$/;

function css(style: AnsiStyle): CSSProperties | undefined {
  if (!style.fg && !style.bg && !style.bold && !style.dim && !style.italic && !style.underline)
    return undefined;
  return {
    color: style.fg,
    background: style.bg,
    fontWeight: style.bold ? 700 : undefined,
    opacity: style.dim ? 0.7 : undefined,
    fontStyle: style.italic ? 'italic' : undefined,
    textDecoration: style.underline ? 'underline' : undefined,
  };
}

/** `text` with the (case-insensitive) matches of `query` marked. */
function highlight(text: string, query: string, key: string): ReactNode[] {
  if (!query) return [text];
  const lower = text.toLowerCase();
  const q = query.toLowerCase();
  const out: ReactNode[] = [];
  let from = 0;
  for (let at = lower.indexOf(q); at >= 0; at = lower.indexOf(q, at + q.length)) {
    if (at > from) out.push(text.slice(from, at));
    out.push(<mark key={`${key}-${at}`}>{text.slice(at, at + q.length)}</mark>);
    from = at + q.length;
  }
  if (from < text.length) out.push(text.slice(from));
  return out;
}

/** Text with its URLs as links (opening in a new tab) and search matches marked. */
function linkified(text: string, query: string, key: string): ReactNode[] {
  const out: ReactNode[] = [];
  let from = 0;
  for (const m of text.matchAll(URL_PATTERN)) {
    const url = m[0].replace(TRAILING, '');
    const at = m.index;
    if (at > from) out.push(...highlight(text.slice(from, at), query, `${key}-t${from}`));
    out.push(
      <a key={`${key}-u${at}`} href={url} target="_blank" rel="noreferrer noopener">
        {highlight(url, query, `${key}-u${at}`)}
      </a>,
    );
    from = at + url.length;
  }
  if (from < text.length) out.push(...highlight(text.slice(from), query, `${key}-t${from}`));
  return out;
}

/** A log line's styled segments, URLs linked, matches of the search marked. */
export function LineText({ segments, query }: { segments: Segment[]; query: string }) {
  return (
    <>
      {segments.map((s, i) => (
        <span key={i} style={css(s.style)}>
          {linkified(s.text, query, String(i))}
        </span>
      ))}
    </>
  );
}

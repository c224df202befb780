import type { MouseEvent } from 'react';
import { LineText } from './LineText';
import type { LogLine } from './log-model';

function clock(at: string | undefined): string {
  return at ? new Date(at).toISOString().slice(11, 23) : '';
}

/** One log line: its number (a link to the line), its time when shown, its text; a group header folds. */
export function LogRow({
  line,
  query,
  showTime,
  marked,
  expanded,
  href,
  onAnchor,
  onToggle,
}: {
  line: LogLine;
  query: string;
  showTime: boolean;
  marked: boolean;
  expanded: boolean;
  href: string;
  onAnchor(e: MouseEvent, n: number): void;
  onToggle(n: number): void;
}) {
  const classes = [
    'log-row',
    line.stream,
    line.group !== undefined ? 'in-group' : '',
    marked ? 'marked' : '',
  ];
  return (
    <div className={classes.join(' ')} data-line={line.n}>
      <a className="log-n" href={href} onClick={(e) => onAnchor(e, line.n)} aria-label={`Line ${line.n}`}>
        {line.n}
      </a>
      {showTime && <span className="log-time">{clock(line.at)}</span>}
      {line.kind === 'group' ? (
        <button type="button" className="log-group" aria-expanded={expanded} onClick={() => onToggle(line.n)}>
          <span aria-hidden="true">{expanded ? '▾' : '▸'}</span>{' '}
          <LineText segments={line.segments} query={query} />
        </button>
      ) : (
        <span className="log-text">
          <LineText segments={line.segments} query={query} />
        </span>
      )}
    </div>
  );
}

import type { KeyboardEvent } from 'react';

/** Search (with the match count and previous/next), the timestamps switch and the raw download. */
export function LogToolbar({
  query,
  onQuery,
  matchCount,
  current,
  onStep,
  showTime,
  onShowTime,
  onDownload,
}: {
  query: string;
  onQuery(q: string): void;
  matchCount: number;
  current: number;
  onStep(delta: 1 | -1): void;
  showTime: boolean;
  onShowTime(on: boolean): void;
  onDownload(): void;
}) {
  const onKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key !== 'Enter') return;
    e.preventDefault();
    onStep(e.shiftKey ? -1 : 1);
  };
  return (
    <div className="log-toolbar">
      <input
        type="search"
        aria-label="Search the log"
        placeholder="Search the log"
        maxLength={200}
        value={query}
        onChange={(e) => onQuery(e.target.value)}
        onKeyDown={onKey}
      />
      <span className="log-count" role="status" aria-live="polite">
        {query ? (matchCount ? `${current + 1} of ${matchCount}` : 'No matches') : ''}
      </span>
      <button type="button" className="btn btn-small" disabled={!matchCount} onClick={() => onStep(-1)}>
        Previous
      </button>
      <button type="button" className="btn btn-small" disabled={!matchCount} onClick={() => onStep(1)}>
        Next
      </button>
      <label className="log-switch">
        <input type="checkbox" checked={showTime} onChange={(e) => onShowTime(e.target.checked)} /> Timestamps
      </label>
      <button type="button" className="btn btn-small" onClick={onDownload}>
        Download raw log
      </button>
    </div>
  );
}

import { useCallback, useEffect, useMemo, useRef, useState, type MouseEvent } from 'react';
import { useLocation, useNavigate } from 'react-router';
import type { ApiError } from '../lib/api';
import { downloadWithToken } from '../lib/download';
import { ErrorBox } from '../components/feedback';
import { findMatches, visibleLines } from '../log/log-model';
import { LogRow } from '../log/LogRow';
import { LogToolbar } from '../log/LogToolbar';
import { useLogStream } from '../log/use-log-stream';
import { VirtualRows } from '../log/VirtualRows';

/**
 * A step leg's log, live until the step is complete: ANSI colours, `::group::` folds, search,
 * line links (`#L<n>` with the step in the query), timestamps, raw download; only the lines in
 * view are rendered.
 */
export function LogView({
  path,
  active,
  linkSearch,
  filename,
}: {
  path: string;
  active: boolean;
  /** the query string that selects this step leg on the run page, for line links */
  linkSearch: string;
  filename: string;
}) {
  const { log, state } = useLogStream(path, active);
  const location = useLocation();
  const navigate = useNavigate();
  const [expanded, setExpanded] = useState<ReadonlySet<number>>(new Set());
  const [query, setQuery] = useState('');
  const [current, setCurrent] = useState(0);
  const [showTime, setShowTime] = useState(false);
  const [reveal, setReveal] = useState<{ index: number }>();
  const [error, setError] = useState<ApiError>();
  const anchored = Number(/^#L(\d+)$/.exec(location.hash)?.[1]) || undefined;
  const matches = useMemo(() => findMatches(log.lines, query), [log.lines, query]);
  const visible = useMemo(() => visibleLines(log.lines, expanded), [log.lines, expanded]);

  /** Scrolls to line `n`, unfolding its group first. */
  const revealLine = useCallback(
    (n: number) => {
      const line = log.lines[n - 1];
      if (!line) return;
      let open = expanded;
      if (line.group !== undefined && !expanded.has(line.group)) {
        open = new Set(expanded).add(line.group);
        setExpanded(open);
      }
      setReveal({ index: visibleLines(log.lines, open).indexOf(line) });
    },
    [log.lines, expanded],
  );

  // a link to a line scrolls to it once the stream has brought it
  const revealedAnchor = useRef<number>(undefined);
  useEffect(() => {
    if (anchored === undefined || revealedAnchor.current === anchored) return;
    if (log.lines.length < anchored) return;
    revealedAnchor.current = anchored;
    revealLine(anchored);
  }, [anchored, log.lines.length, revealLine]);

  function search(q: string) {
    setQuery(q);
    setCurrent(0);
    const first = findMatches(log.lines, q)[0];
    if (first !== undefined) revealLine(first);
  }
  function step(delta: 1 | -1) {
    if (!matches.length) return;
    const next = (current + delta + matches.length) % matches.length;
    setCurrent(next);
    revealLine(matches[next]!);
  }
  function toggle(n: number) {
    const open = new Set(expanded);
    if (!open.delete(n)) open.add(n);
    setExpanded(open);
  }
  function anchor(e: MouseEvent, n: number) {
    e.preventDefault();
    navigate({ search: linkSearch, hash: `L${n}` }, { replace: true });
  }
  async function download() {
    setError(undefined);
    const raw = showTime ? `${path}${path.includes('?') ? '&' : '?'}timestamps=1` : path;
    await downloadWithToken(raw, filename).catch((err: ApiError) => setError(err));
  }

  const currentMatch = query ? matches[current] : undefined;
  return (
    <div className="log">
      <div className="log-state" role="status" aria-live="polite">
        {state === 'connecting' && 'Connecting to the log…'}
        {state === 'live' && (
          <>
            <span className="live-dot" aria-hidden="true" /> Live
          </>
        )}
        {state === 'error' && 'The log stream was lost.'}
        {state === 'complete' &&
          (log.lines.length === 0 ? 'No log output.' : `Complete · ${log.lines.length} lines`)}
      </div>
      <LogToolbar
        query={query}
        onQuery={search}
        matchCount={matches.length}
        current={current}
        onStep={step}
        showTime={showTime}
        onShowTime={setShowTime}
        onDownload={download}
      />
      {error && <ErrorBox error={error} />}
      <VirtualRows
        count={visible.length}
        follow={state === 'live' && anchored === undefined && !query}
        reveal={reveal}
        label="Step log"
        render={(i) => {
          const line = visible[i]!;
          return (
            <LogRow
              key={line.key}
              line={line}
              query={query}
              showTime={showTime}
              marked={line.n === anchored || line.n === currentMatch}
              expanded={expanded.has(line.n)}
              href={`${location.pathname}${linkSearch}#L${line.n}`}
              onAnchor={anchor}
              onToggle={toggle}
            />
          );
        }}
      />
    </div>
  );
}

import { useEffect, useRef, useState } from 'react';
import { followEvents } from '../lib/sse';

interface Line {
  seq: number;
  attempt: number;
  stream: string;
  line: string;
}

/** A step leg's log, streamed live (SSE) until the step is complete; follows the bottom unless scrolled up. */
export function LogView({ path, active }: { path: string; active: boolean }) {
  const [lines, setLines] = useState<Line[]>([]);
  const [state, setState] = useState<'connecting' | 'live' | 'complete' | 'error'>('connecting');
  const box = useRef<HTMLPreElement>(null);
  const stick = useRef(true);

  useEffect(() => {
    setLines([]);
    if (!active) {
      setState('complete');
      return;
    }
    setState('connecting');
    let batch: Line[] = [];
    let frame = 0;
    const flush = () => {
      frame = 0;
      const add = batch;
      batch = [];
      setLines((l) => l.concat(add));
    };
    const stop = followEvents(
      `${path}${path.includes('?') ? '&' : '?'}follow=1`,
      (m) => {
        if (m.event === 'end') return setState('complete');
        if (!m.data) return;
        batch.push(JSON.parse(m.data) as Line);
        frame ||= requestAnimationFrame(flush);
      },
      { onOpen: () => setState('live'), onError: () => setState('error') },
    );
    return () => {
      stop();
      cancelAnimationFrame(frame);
    };
  }, [path, active]);

  useEffect(() => {
    if (stick.current && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [lines]);

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
        {state === 'complete' && (lines.length === 0 ? 'No log output.' : 'Complete')}
      </div>
      <pre
        ref={box}
        className="log-lines"
        tabIndex={0}
        aria-label="Step log"
        onScroll={(e) => {
          const el = e.currentTarget;
          stick.current = el.scrollTop + el.clientHeight >= el.scrollHeight - 8;
        }}
      >
        {lines.map((l) => (
          <span key={`${l.attempt}-${l.seq}`} className={`log-line ${l.stream}`}>
            {l.line}
            {'\n'}
          </span>
        ))}
      </pre>
    </div>
  );
}

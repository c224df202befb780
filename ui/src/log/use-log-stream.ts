import { useEffect, useState } from 'react';
import { followEvents } from '../lib/sse';
import { appendLines, EMPTY_LOG, type LogModel, type RawLine } from './log-model';

export type StreamState = 'connecting' | 'live' | 'complete' | 'error';

/** A step leg's log followed live over SSE until the server ends it; lines are parsed once per animation frame. */
export function useLogStream(path: string, active: boolean): { log: LogModel; state: StreamState } {
  const [log, setLog] = useState<LogModel>(EMPTY_LOG);
  const [state, setState] = useState<StreamState>('connecting');

  useEffect(() => {
    setLog(EMPTY_LOG);
    if (!active) {
      setState('complete');
      return;
    }
    setState('connecting');
    let batch: RawLine[] = [];
    let frame = 0;
    const flush = () => {
      frame = 0;
      const add = batch;
      batch = [];
      setLog((l) => appendLines(l, add));
    };
    const stop = followEvents(
      `${path}${path.includes('?') ? '&' : '?'}follow=1`,
      (m) => {
        if (m.event === 'end') return setState('complete');
        if (!m.data) return;
        batch.push(JSON.parse(m.data) as RawLine);
        frame ||= requestAnimationFrame(flush);
      },
      { onOpen: () => setState('live'), onError: () => setState('error') },
    );
    return () => {
      stop();
      cancelAnimationFrame(frame);
    };
  }, [path, active]);

  return { log, state };
}

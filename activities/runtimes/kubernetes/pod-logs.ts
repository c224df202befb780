import type { KubeConfig } from '@kubernetes/client-node';
import { apiProblem } from './api-errors';
import { openStream, readLines } from './kube-http';
import { backoffDelay, type Backoff } from '../../../lib/backoff';
import { sleep } from '../../../lib/sleep';

/** Reopening a pod's log stream: soon, since lines are waiting. */
const LOG_STREAM_BACKOFF: Backoff = { initialMs: 250, maxMs: 5000 };

export interface LogFollowOptions {
  kc: KubeConfig;
  namespace: string;
  pod: string;
  container: string;
  signal: AbortSignal;
  onLine(line: string): void;
  /** Asked after the stream ends: has the container exited (so no more lines can come)? null: pod gone. */
  containerExited(): Promise<boolean | null>;
}

/** An RFC3339(Nano) timestamp as a string that sorts in time order ("2024-01-01T00:00:00.000000001"). */
export function timestampKey(ts: string): string | undefined {
  const match = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(ts);
  if (!match) return undefined;
  const [, seconds = '', fraction = '', zone = 'Z'] = match;
  const utc = new Date(seconds + zone).toISOString().slice(0, 19);
  return `${utc}.${fraction.padEnd(9, '0')}`;
}

/**
 * Streams a container's log (follow=true, timestamps=true). When the connection breaks, it resumes
 * with sinceTime (which the API server truncates to whole seconds) and skips what was already
 * delivered: lines older than the last one, and as many lines at its exact timestamp as were seen.
 */
export async function followPodLogs(options: LogFollowOptions): Promise<void> {
  const { signal } = options;
  let lastKey: string | undefined;
  let lastTimestamp: string | undefined;
  let seenAtLast = 0;
  let failures = 0;
  let skip = 0;

  const deliver = (raw: string) => {
    const space = raw.indexOf(' ');
    const timestamp = space > 0 ? raw.slice(0, space) : raw;
    const key = timestampKey(timestamp);
    const text = space > 0 ? raw.slice(space + 1) : '';
    if (key === undefined) return options.onLine(raw.replace(/\r$/, ''));
    if (lastKey !== undefined && key < lastKey) return;
    if (key === lastKey) {
      if (skip > 0) return void skip--;
      seenAtLast++;
    } else {
      lastKey = key;
      lastTimestamp = timestamp;
      seenAtLast = 1;
      skip = 0;
    }
    options.onLine(text.replace(/\r$/, ''));
  };

  while (!signal.aborted) {
    let clean = false;
    let partial: string | undefined;
    try {
      skip = seenAtLast;
      const stream = await openLogStream(options, lastTimestamp && wholeSeconds(lastTimestamp));
      failures = 0;
      clean = await readLines(stream, deliver, (rest) => (partial = rest));
    } catch (err) {
      if (signal.aborted) return;
      const problem = apiProblem(err);
      // 404: pod gone; 400: container not started or already removed: nothing more to read.
      if (problem.code === 404 || problem.code === 400) return;
    }
    if (signal.aborted) return;
    if (clean) {
      const exited = await options.containerExited().catch(() => false);
      if (exited !== false) {
        // A last line without a newline is only final once the container has exited.
        if (partial !== undefined) deliver(partial);
        return;
      }
    }
    await sleep(backoffDelay(LOG_STREAM_BACKOFF, failures++), signal);
  }
}

/** The followed log of the container, with timestamps, from `sinceTime` on when given. */
function openLogStream(options: LogFollowOptions, sinceTime: string | undefined) {
  const { kc, namespace, pod, container, signal } = options;
  return openStream(
    kc,
    `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/log`,
    { container, follow: true, timestamps: true, sinceTime },
    signal,
  );
}

function wholeSeconds(timestamp: string): string {
  const key = timestampKey(timestamp) ?? '';
  return `${key.slice(0, 19)}Z`;
}

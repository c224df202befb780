import type { CoreV1Api, KubeConfig, V1Pod } from '@kubernetes/client-node';
import { apiProblem, isNotFound } from './api-errors';
import { openStream, readLines } from './kube-http';
import { backoffDelay, KUBE_API_BACKOFF } from '../../../lib/backoff';
import { sleep } from '../../../lib/sleep';

export interface PodWatchOptions {
  kc: KubeConfig;
  core: CoreV1Api;
  namespace: string;
  name: string;
  signal: AbortSignal;
  /** Every observed state of the pod; null once it is gone. */
  onPod(pod: V1Pod | null): void;
  /** The API could not be reached (the watch keeps retrying). */
  onError(message: string): void;
  /** A GET between watch events, in case a watch stalls without closing (0: none). */
  pollFallbackMs?: number;
  /** Server-side watch timeout; the watch is then re-established from the last resourceVersion. */
  watchTimeoutSeconds?: number;
}

interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: V1Pod & { code?: number };
}

/**
 * Follows one pod until `signal` aborts: a GET gives the state and its resourceVersion, a watch
 * from that version gives every change after it. A closed or failed watch is re-established
 * (from the last version seen, or from a fresh GET when the version expired).
 */
export async function watchPod(options: PodWatchOptions): Promise<void> {
  const { core, namespace, name, signal, onPod, onError } = options;
  let resourceVersion: string | undefined;
  let failures = 0;
  const poll = options.pollFallbackMs ? setInterval(() => void refresh(), options.pollFallbackMs) : undefined;

  async function refresh(): Promise<boolean> {
    try {
      const pod = await core.readNamespacedPod({ name, namespace });
      resourceVersion = pod.metadata?.resourceVersion;
      if (!signal.aborted) onPod(pod);
      return true;
    } catch (err) {
      if (isNotFound(err)) {
        if (!signal.aborted) onPod(null);
        return true;
      }
      onError(apiProblem(err).message);
      return false;
    }
  }

  try {
    while (!signal.aborted) {
      if (resourceVersion === undefined && !(await refresh())) {
        await sleep(backoffDelay(KUBE_API_BACKOFF, failures++), signal);
        continue;
      }
      try {
        const stream = await openWatchStream(options, resourceVersion);
        failures = 0;
        const clean = await readLines(stream, (line) => {
          const event = parseEvent(line);
          if (!event || signal.aborted) return;
          if (event.type === 'ERROR') {
            // 410 Gone: our version is too old to resume from; start again from a GET.
            resourceVersion = undefined;
            stream.destroy();
            return;
          }
          resourceVersion = event.object.metadata?.resourceVersion ?? resourceVersion;
          if (event.type === 'DELETED') onPod(null);
          else if (event.type !== 'BOOKMARK') onPod(event.object);
        });
        if (!clean) await sleep(200, signal);
      } catch (err) {
        if (signal.aborted) break;
        const problem = apiProblem(err);
        if (problem.code === 410) resourceVersion = undefined;
        else onError(problem.message);
        await sleep(backoffDelay(KUBE_API_BACKOFF, failures++), signal);
      }
    }
  } finally {
    if (poll) clearInterval(poll);
  }
}

/** A watch of the one pod from `resourceVersion`, with bookmarks, ended by the server after a while. */
function openWatchStream(options: PodWatchOptions, resourceVersion: string | undefined) {
  const { kc, namespace, name, signal } = options;
  return openStream(
    kc,
    `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`,
    {
      watch: true,
      fieldSelector: `metadata.name=${name}`,
      resourceVersion,
      allowWatchBookmarks: true,
      timeoutSeconds: options.watchTimeoutSeconds ?? 60,
    },
    signal,
  );
}

function parseEvent(line: string): WatchEvent | undefined {
  try {
    return JSON.parse(line) as WatchEvent;
  } catch {
    return undefined;
  }
}

/** Exponential backoff of a retried call: `initialMs`, doubled (or × `factor`) per failure, capped at `maxMs`. */
export interface Backoff {
  initialMs: number;
  maxMs: number;
  factor?: number;
}

/** Kubernetes API calls and watches of the step runtime and the deploy activities. */
export const KUBE_API_BACKOFF: Backoff = { initialMs: 500, maxMs: 10_000 };

/** The wait after `failures` consecutive failures (0: the first retry). */
export function backoffDelay(backoff: Backoff, failures: number): number {
  return Math.min(backoff.initialMs * (backoff.factor ?? 2) ** failures, backoff.maxMs);
}

import type { CoreV1Api, V1Pod } from '@kubernetes/client-node';
import type { StepLaunch } from '../runtime';
import { apiProblem, isNotFound, isPermanent, type ApiProblem } from './api-errors';
import { LABEL, stepLabels } from './pod-spec';
import { backoffDelay, KUBE_API_BACKOFF } from '../../../lib/backoff';
import { sleep } from '../../../lib/sleep';

export type CreateResult = { created: boolean } | { rejected: ApiProblem } | { unreachable: ApiProblem };

/** Creates the pod; 409 AlreadyExists means an earlier try of this same attempt did, and we adopt it. */
export async function createOrAdoptPod(
  core: CoreV1Api,
  pod: V1Pod,
  options: { signal: AbortSignal; giveUpAfterMs: number; onRetry?: (problem: ApiProblem) => void },
): Promise<CreateResult> {
  const namespace = pod.metadata?.namespace ?? 'default';
  const start = Date.now();
  for (let tries = 0; ; tries++) {
    try {
      await core.createNamespacedPod({ namespace, body: pod });
      return { created: true };
    } catch (err) {
      const problem = apiProblem(err);
      if (problem.code === 409) return { created: false };
      if (isPermanent(problem)) return { rejected: problem };
      if (options.signal.aborted || Date.now() - start > options.giveUpAfterMs)
        return { unreachable: problem };
      options.onRetry?.(problem);
      await sleep(backoffDelay(KUBE_API_BACKOFF, tries), options.signal);
    }
  }
}

export async function deletePod(
  core: CoreV1Api,
  namespace: string,
  name: string,
  gracePeriodSeconds: number,
): Promise<void> {
  try {
    await core.deleteNamespacedPod({ name, namespace, gracePeriodSeconds, propagationPolicy: 'Background' });
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

/** Deletes the pod and waits (bounded) until the API no longer has it, so cancellation means stopped. */
export async function deletePodAndWait(
  core: CoreV1Api,
  namespace: string,
  name: string,
  gracePeriodSeconds: number,
  waitMs: number,
): Promise<boolean> {
  await deletePod(core, namespace, name, gracePeriodSeconds);
  const deadline = Date.now() + waitMs;
  while (Date.now() < deadline) {
    try {
      await core.readNamespacedPod({ name, namespace });
    } catch (err) {
      if (isNotFound(err)) return true;
    }
    await sleep(500);
  }
  return false;
}

/** Pods of earlier attempts of the same step (a worker died mid-attempt) must not run on. */
export async function deleteSupersededAttempts(
  core: CoreV1Api,
  namespace: string,
  launch: StepLaunch,
): Promise<string[]> {
  const labels = stepLabels(launch);
  const selector = [LABEL.run, LABEL.step, LABEL.matrix].map((key) => `${key}=${labels[key]}`).join(',');
  const list = await core.listNamespacedPod({ namespace, labelSelector: selector });
  const stale = list.items.filter((pod) => Number(pod.metadata?.labels?.[LABEL.attempt]) < launch.attempt);
  for (const pod of stale) await deletePod(core, namespace, pod.metadata?.name ?? '', 0);
  return stale.map((pod) => pod.metadata?.name ?? '');
}

/** The most recent Warning event about the pod ("FailedScheduling: 0/3 nodes are available: ..."). */
export async function latestWarning(
  core: CoreV1Api,
  namespace: string,
  name: string,
): Promise<string | undefined> {
  try {
    const events = await core.listNamespacedEvent({
      namespace,
      fieldSelector: `involvedObject.kind=Pod,involvedObject.name=${name}`,
    });
    const time = (e: (typeof events.items)[number]) =>
      new Date(e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp ?? 0).getTime();
    const warnings = events.items.filter((e) => e.type === 'Warning').sort((a, b) => time(a) - time(b));
    const last = warnings[warnings.length - 1];
    return last ? `${last.reason ?? 'Warning'}: ${last.message ?? ''}`.trim() : undefined;
  } catch {
    return undefined;
  }
}

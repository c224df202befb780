import type { CoreV1Api, KubeConfig, V1Pod } from '@kubernetes/client-node';
import { CoutReader } from '../cout';
import { parseOutputsFile } from '../outputs';
import type { StepHooks, StepLaunch, StepOutcome } from '../runtime';
import {
  classifyPod,
  containerStarted,
  failure,
  stepExited,
  pendingDetail,
  type Failure,
  type PodVerdict,
} from './classify';
import {
  createOrAdoptPod,
  deletePod,
  deletePodAndWait,
  deleteSupersededAttempts,
  latestWarning,
} from './pod-api';
import { followPodLogs } from './pod-logs';
import { buildPod, CONTAINER_NAME } from './pod-spec';
import { watchPod } from './pod-watch';
import { sleep } from '../../../lib/sleep';
import {
  adoptStepSecret,
  buildStepSecret,
  createStepSecret,
  deleteStepSecret,
  needsStepSecret,
} from './step-secret';
import { apiProblem, isPermanent } from './api-errors';

export interface PodRunSettings {
  kc: KubeConfig;
  core: CoreV1Api;
  namespace: string;
  pendingTimeoutMs: number;
  keepOnFailure: boolean;
  deleteGraceSeconds: number;
  heartbeatMs: number;
  /** How long to wait for the log stream to drain after the container exited. */
  logDrainMs: number;
  /** How long the API may stay unreachable before the attempt fails as 'infrastructure'. */
  apiUnreachableMs: number;
  pollFallbackMs?: number;
  podAnnotations?: Record<string, string>;
  /** Image of the containers that move artifacts in and out of step pods. */
  toolImage?: string;
}

type Decision =
  | { kind: 'finished'; verdict: Extract<PodVerdict, { state: 'finished' }> }
  /** Stop the pod: `force` deletes it even with keepOnFailure (cancel, timeout). */
  | { kind: 'stop'; failure: Failure; force: boolean }
  | { kind: 'gone' };

/** Runs one step attempt as one pod: create (or adopt), watch, stream logs, classify, clean up. */
export async function runPod(
  settings: PodRunSettings,
  launch: StepLaunch,
  hooks: StepHooks,
): Promise<StepOutcome> {
  const { core } = settings;
  const namespace = launch.pod?.namespace ?? settings.namespace;
  let manifest: V1Pod;
  try {
    manifest = buildPod(launch, {
      namespace,
      keepOnFailure: settings.keepOnFailure,
      annotations: settings.podAnnotations,
      toolImage: settings.toolImage,
    });
  } catch (err) {
    return { exitCode: null, outputs: {}, failure: failure('invalid', (err as Error).message, false) };
  }
  const name = manifest.metadata?.name ?? '';
  const fail = (f: Failure): StepOutcome => ({ exitCode: null, outputs: {}, failure: f });
  if (hooks.signal.aborted) return fail(failure('cancelled', 'cancelled before the pod was created', false));

  const withSecret = needsStepSecret(launch);
  if (withSecret) {
    try {
      await createStepSecret(core, buildStepSecret(launch, name, namespace));
    } catch (err) {
      const problem = apiProblem(err);
      const message = `cannot create the step's Secret: ${problem.message}`;
      return fail(
        isPermanent(problem) ? failure('invalid', message, false) : failure('infrastructure', message, true),
      );
    }
  }
  const created = await createOrAdoptPod(core, manifest, {
    signal: hooks.signal,
    giveUpAfterMs: settings.apiUnreachableMs,
    onRetry: () => safeHeartbeat(hooks, { pod: name, namespace, phase: 'Creating' }),
  });
  if ('rejected' in created || 'unreachable' in created) {
    if (withSecret) await deleteStepSecret(core, namespace, name).catch(() => undefined);
  } else if (withSecret) {
    // Best effort: should this fail, the sweep removes the Secret once the run has ended.
    await core
      .readNamespacedPod({ name, namespace })
      .then((pod) => adoptStepSecret(core, pod))
      .catch(() => undefined);
  }
  if ('rejected' in created)
    return fail(failure('invalid', `pod rejected by the API server: ${created.rejected.message}`, false));
  if ('unreachable' in created) {
    if (hooks.signal.aborted)
      return fail(failure('cancelled', 'cancelled before the pod was created', false));
    return fail(failure('infrastructure', `cannot create pod: ${created.unreachable.message}`, true));
  }
  deleteSupersededAttempts(core, namespace, launch).catch(() => undefined);
  return supervise(settings, launch, hooks, namespace, name);
}

async function supervise(
  settings: PodRunSettings,
  launch: StepLaunch,
  hooks: StepHooks,
  namespace: string,
  name: string,
): Promise<StepOutcome> {
  const { core, kc } = settings;
  const stop = new AbortController();
  const reader = new CoutReader();
  const cout = reader.outputs;
  const startedAt = Date.now();
  let lastPod: V1Pod | undefined;
  let logs: Promise<void> | undefined;
  let apiDownSince: number | undefined;
  let checkingPending = false;
  let decide!: (d: Decision) => void;
  const decision = new Promise<Decision>((resolve) => (decide = resolve));

  const onLine = (line: string) => {
    reader.line('stdout', line);
    hooks.onLine('stdout', line);
  };
  const containerExited = async (): Promise<boolean | null> => {
    const pod = await core.readNamespacedPod({ name, namespace }).catch(() => null);
    if (!pod) return null;
    const verdict = classifyPod(pod);
    // the step container may have ended while the pod still uploads its artifacts
    return verdict.state === 'finished' || verdict.state === 'stuck' || stepExited(pod);
  };

  const onPod = (pod: V1Pod | null) => {
    apiDownSince = undefined;
    if (!pod) return decide({ kind: 'gone' });
    lastPod = pod;
    if (!logs && containerStarted(pod)) {
      logs = followPodLogs({
        kc,
        namespace,
        pod: name,
        container: CONTAINER_NAME,
        signal: stop.signal,
        onLine,
        containerExited,
      });
    }
    const verdict = classifyPod(pod);
    if (verdict.state === 'finished') decide({ kind: 'finished', verdict });
    else if (verdict.state === 'stuck') decide({ kind: 'stop', failure: verdict.failure, force: false });
  };

  const checkPending = async () => {
    const verdict = lastPod ? classifyPod(lastPod) : undefined;
    if (checkingPending || (verdict && verdict.state !== 'pending')) return;
    if (Date.now() - startedAt <= settings.pendingTimeoutMs) return;
    checkingPending = true;
    const detail = lastPod ? pendingDetail(lastPod) : 'pod not observed';
    const warning = await latestWarning(core, namespace, name);
    const seconds = Math.round(settings.pendingTimeoutMs / 1000);
    const message = `pod stayed Pending for more than ${seconds}s: ${detail}${warning && !detail.includes(warning) ? ` (${warning})` : ''}`;
    decide({ kind: 'stop', failure: failure('unschedulable', message, true), force: false });
  };

  safeHeartbeat(hooks, { pod: name, namespace, phase: 'Pending' });
  const ticker = setInterval(() => {
    if (!safeHeartbeat(hooks, { pod: name, namespace, phase: lastPod?.status?.phase })) {
      decide({ kind: 'stop', failure: failure('cancelled', 'step cancelled', false), force: true });
    }
    if (apiDownSince !== undefined && Date.now() - apiDownSince > settings.apiUnreachableMs) {
      decide({
        kind: 'stop',
        failure: failure('infrastructure', 'Kubernetes API unreachable', true),
        force: true,
      });
    }
    void checkPending();
  }, settings.heartbeatMs);
  const timeout = launch.timeoutMs
    ? setTimeout(() => {
        const message = `step timed out after ${Math.round((launch.timeoutMs ?? 0) / 1000)}s`;
        decide({ kind: 'stop', failure: failure('timeout', message, true), force: true });
      }, launch.timeoutMs)
    : undefined;
  const onAbort = () =>
    decide({ kind: 'stop', failure: failure('cancelled', 'step cancelled', false), force: true });
  hooks.signal.addEventListener('abort', onAbort, { once: true });
  if (hooks.signal.aborted) onAbort();

  const watching = watchPod({
    kc,
    core,
    namespace,
    name,
    signal: stop.signal,
    onPod,
    onError: () => (apiDownSince ??= Date.now()),
    pollFallbackMs: settings.pollFallbackMs,
  });

  try {
    const result = await decision;
    if (result.kind === 'finished') {
      if (logs) {
        const drained = new AbortController();
        await Promise.race([logs.finally(() => drained.abort()), sleep(settings.logDrainMs, drained.signal)]);
      }
      stop.abort();
      const { verdict } = result;
      for (const line of verdict.toolLines ?? []) hooks.onLine('stderr', line);
      const fromFile = verdict.exitCode === 0 ? parseOutputsFile(verdict.terminationMessage ?? '') : {};
      if (!verdict.failure || !settings.keepOnFailure) {
        await deletePod(core, namespace, name, 0).catch(() => undefined);
      }
      return {
        exitCode: verdict.exitCode,
        outputs: { ...cout, ...fromFile },
        ...(verdict.failure ? { failure: verdict.failure } : {}),
      };
    }
    stop.abort();
    if (result.kind === 'gone') {
      const message = 'pod was deleted before it finished (node drained or deleted by hand?)';
      return {
        exitCode: null,
        outputs: cout,
        failure: failure('infrastructure', message, true),
      };
    }
    if (result.force || !settings.keepOnFailure) {
      const grace = settings.deleteGraceSeconds;
      await deletePodAndWait(core, namespace, name, grace, (grace + 10) * 1000).catch(() => undefined);
    }
    return { exitCode: null, outputs: cout, failure: result.failure };
  } finally {
    stop.abort();
    clearInterval(ticker);
    if (timeout) clearTimeout(timeout);
    hooks.signal.removeEventListener('abort', onAbort);
    await watching.catch(() => undefined);
  }
}

/** hooks.heartbeat throws once the activity is cancelled; false then. */
function safeHeartbeat(hooks: StepHooks, details: unknown): boolean {
  try {
    hooks.heartbeat(details);
    return true;
  } catch {
    return false;
  }
}

import type { V1ContainerStatus, V1Pod, V1PodStatus } from '@kubernetes/client-node';
import type { StepFailureKind, StepOutcome } from '../runtime';
import { fetchFailure, toolLines, uploaderOutputs, uploadState } from './artifact-containers';
import { CONTAINER_NAME } from './pod-spec';

export type Failure = NonNullable<StepOutcome['failure']>;

/** What one observation of the pod tells the runtime. */
export type PodVerdict =
  | { state: 'pending'; detail: string }
  | { state: 'running' }
  | {
      state: 'finished';
      exitCode: number | null;
      terminationMessage?: string;
      failure?: Failure;
      /** what the containers moving artifacts reported, for the step's log */
      toolLines?: string[];
    }
  /** The pod cannot make progress; the runtime deletes it. */
  | { state: 'stuck'; failure: Failure };

const IMAGE_REASONS = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull']);
// A pull that failed for these reasons may well succeed on the next attempt.
const TRANSIENT_PULL =
  /toomanyrequests|rate limit|timeout|i\/o timeout|connection refused|connection reset|TLS handshake|503|502/i;

export function failure(kind: StepFailureKind, message: string, retryable: boolean): Failure {
  return { kind, message, retryable };
}

export function stepContainer(pod: V1Pod): V1ContainerStatus | undefined {
  return pod.status?.containerStatuses?.find((c) => c.name === CONTAINER_NAME);
}

export function stepExited(pod: V1Pod): boolean {
  return Boolean(stepContainer(pod)?.state?.terminated);
}

export function containerStarted(pod: V1Pod): boolean {
  const state = stepContainer(pod)?.state;
  return Boolean(state?.running || state?.terminated);
}

export function classifyPod(pod: V1Pod): PodVerdict {
  const status = pod.status ?? {};
  const container = stepContainer(pod);
  const terminated = container?.state?.terminated;
  const disruption = status.conditions?.find((c) => c.type === 'DisruptionTarget' && c.status === 'True');

  if (status.reason === 'Evicted' || (disruption && disruption.reason !== 'DeletionByTaintManager')) {
    const message = status.message ?? disruption?.message ?? 'pod was evicted';
    return finished(terminated?.exitCode ?? null, failure('evicted', `evicted: ${message}`, true));
  }
  if (status.reason === 'NodeLost' || status.phase === 'Unknown' || disruption) {
    const message = status.message ?? disruption?.message ?? 'node stopped reporting';
    return { state: 'stuck', failure: failure('infrastructure', `node lost: ${message}`, true) };
  }
  if (status.reason === 'DeadlineExceeded') {
    return finished(
      null,
      failure('timeout', `step exceeded its deadline: ${status.message ?? ''}`.trim(), true),
    );
  }
  const fetchFailed = fetchFailure(pod);
  if (fetchFailed) return finished(null, fetchFailed);
  const pullStuck = pullFailure(status);
  if (pullStuck) return pullStuck;
  if (terminated) {
    const { exitCode, reason, message } = terminated;
    if (reason === 'OOMKilled') {
      return finished(
        exitCode,
        failure('oom', `out of memory (exit ${exitCode}): raise resources.limits.memory`, true),
        message,
      );
    }
    if (exitCode !== 0)
      return finished(
        exitCode,
        failure('exit', `exit code ${exitCode}${reason ? ` (${reason})` : ''}`, true),
        message,
      );
    const upload = uploadState(pod);
    if (upload.state === 'running') return { state: 'running' };
    if (upload.state === 'failed') return finished(0, upload.failure, message, toolLines(pod));
    // with an uploader that stored the outputs file, its report holds them (the step's message none)
    return finished(0, undefined, uploaderOutputs(pod) ?? message, toolLines(pod));
  }
  if (status.phase === 'Failed') {
    return finished(
      null,
      failure('infrastructure', `pod failed: ${status.reason ?? ''} ${status.message ?? ''}`.trim(), true),
    );
  }
  if (status.phase === 'Running' || container?.state?.running) return { state: 'running' };
  return { state: 'pending', detail: pendingDetail(pod) };
}

/** A container of the pod that cannot pull its image: stuck, retryable when the registry may recover. */
function pullFailure(status: V1PodStatus): PodVerdict | undefined {
  // the step's image, or the artifact containers' (they run first)
  const pulling = [...(status.initContainerStatuses ?? []), ...(status.containerStatuses ?? [])].find(
    (c) => c.state?.waiting?.reason && IMAGE_REASONS.has(c.state.waiting.reason),
  );
  if (!pulling) return undefined;
  const waiting = pulling.state!.waiting!;
  const message =
    `cannot pull image ${pulling.image ?? ''}: ${waiting.reason}: ${waiting.message ?? ''}`.trim();
  const retryable = waiting.reason !== 'InvalidImageName' && TRANSIENT_PULL.test(waiting.message ?? '');
  return { state: 'stuck', failure: failure(retryable ? 'infrastructure' : 'image', message, retryable) };
}

function finished(
  exitCode: number | null,
  fail?: Failure,
  terminationMessage?: string,
  lines?: string[],
): PodVerdict {
  return {
    state: 'finished',
    exitCode,
    terminationMessage,
    ...(fail ? { failure: fail } : {}),
    ...(lines?.length ? { toolLines: lines } : {}),
  };
}

/** Why the pod is still pending, in the scheduler's or kubelet's words. */
export function pendingDetail(pod: V1Pod): string {
  const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
  if (scheduled?.status === 'False')
    return `${scheduled.reason ?? 'Unschedulable'}: ${scheduled.message ?? ''}`.trim();
  const waiting = stepContainer(pod)?.state?.waiting;
  if (waiting?.reason) return `${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}`;
  return 'waiting to be scheduled';
}

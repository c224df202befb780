/**
 * The deployment workflow: apply manifests, wait for the rollout, roll back on failure. Operators
 * steer it with the 'pause', 'resume' and 'abort' updates and read it with the 'state' query.
 */
import {
  ActivityCancellationType,
  ApplicationFailure,
  CancellationScope,
  condition,
  defineQuery,
  defineUpdate,
  isCancellation,
  proxyActivities,
  setHandler,
} from '@temporalio/workflow';
import type {
  AppliedObject,
  DeployActivities,
  RollbackResult,
  RolloutResult,
} from '../activities/runtimes/kubernetes/deploy/deploy';

export interface DeploymentInput {
  /** Parsed Kubernetes manifests. */
  manifests: object[];
  /** Namespace for manifests that name none. */
  namespace: string;
  rolloutTimeoutMs: number;
  /** Registered `kubernetes-cluster` service as `project/name`; resolved by the activities, never a secret here. */
  cluster?: string;
}

export type DeploymentPhase =
  'applying' | 'rolling-out' | 'paused' | 'rolling-back' | 'succeeded' | 'failed' | 'aborted';

export interface DeploymentState {
  phase: DeploymentPhase;
  paused: boolean;
  applied: AppliedObject[];
  rollback?: RollbackResult[];
  message?: string;
}

export interface DeploymentResult {
  applied: AppliedObject[];
}

export const pauseUpdate = defineUpdate<DeploymentState>('pause');
export const resumeUpdate = defineUpdate<DeploymentState>('resume');
export const abortUpdate = defineUpdate<DeploymentState, [reason: string]>('abort');
export const stateQuery = defineQuery<DeploymentState>('state');

const ROLLOUT_FAILED = 'RolloutFailed';

// Cluster outages are retried for hours; invalid manifests fail at once (non-retryable failures).
const retry = { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '5m' };
const shortCalls = proxyActivities<DeployActivities>({
  startToCloseTimeout: '2m',
  scheduleToCloseTimeout: '6h',
  heartbeatTimeout: '30s',
  retry,
});

export async function deployment(input: DeploymentInput): Promise<DeploymentResult> {
  const state: DeploymentState = { phase: 'applying', paused: false, applied: [] };
  let abortReason: string | undefined;
  const finished = () => ['succeeded', 'failed', 'aborted'].includes(state.phase);
  const notFinished = () => {
    if (finished() || abortReason) throw new Error(`deployment is ${abortReason ? 'aborting' : state.phase}`);
  };

  setHandler(stateQuery, () => state);
  setHandler(
    pauseUpdate,
    () => {
      state.paused = true;
      return state;
    },
    { validator: notFinished },
  );
  setHandler(
    resumeUpdate,
    () => {
      state.paused = false;
      return state;
    },
    { validator: notFinished },
  );
  setHandler(
    abortUpdate,
    (reason: string) => {
      abortReason = reason || 'aborted by an operator';
      return state;
    },
    { validator: (_reason: string) => notFinished() },
  );

  const target = { namespace: input.namespace, cluster: input.cluster, manifests: input.manifests };
  const fail = async (type: string, reason: string, phase: DeploymentPhase): Promise<never> => {
    if (state.applied.length) {
      state.phase = 'rolling-back';
      state.rollback = await CancellationScope.nonCancellable(() => shortCalls.rollbackDeployments(target));
    }
    state.phase = phase;
    state.message = reason;
    const rolledBack = state.rollback
      ?.filter((r) => r.toRevision)
      .map((r) => `${r.name} to revision ${r.toRevision}`);
    const suffix = rolledBack?.length ? `; rolled back ${rolledBack.join(', ')}` : '';
    throw ApplicationFailure.create({
      type,
      message: `${reason}${suffix}`,
      nonRetryable: true,
      details: [state],
    });
  };

  await condition(() => !state.paused || abortReason !== undefined);
  if (abortReason) return fail('RolloutAborted', abortReason, 'aborted');
  state.applied = await shortCalls.applyManifests(target);

  let budgetMs = input.rolloutTimeoutMs;
  for (;;) {
    if (abortReason) return fail('RolloutAborted', abortReason, 'aborted');
    state.phase = 'rolling-out';
    const startedAt = Date.now();
    const outcome = await waitUnlessInterrupted(
      state.applied,
      input.cluster,
      startedAt + budgetMs,
      () => state.paused || abortReason !== undefined,
    );
    budgetMs -= Date.now() - startedAt;
    if (abortReason) return fail('RolloutAborted', abortReason, 'aborted');
    if (outcome) {
      if (!outcome.ok) return fail(ROLLOUT_FAILED, outcome.reason, 'failed');
      state.phase = 'succeeded';
      return { applied: state.applied };
    }
    // Paused: hold the Deployments where they are until resumed or aborted.
    await shortCalls.setRolloutPaused({ targets: state.applied, cluster: input.cluster, paused: true });
    state.phase = 'paused';
    await condition(() => !state.paused || abortReason !== undefined);
    await shortCalls.setRolloutPaused({ targets: state.applied, cluster: input.cluster, paused: false });
  }
}

/** Runs the rollout wait; returns undefined when `interrupted` became true first (the wait is cancelled). */
async function waitUnlessInterrupted(
  targets: AppliedObject[],
  cluster: string | undefined,
  deadline: number,
  interrupted: () => boolean,
): Promise<RolloutResult | undefined> {
  const { waitForRollout } = proxyActivities<DeployActivities>({
    startToCloseTimeout: Math.max(deadline - Date.now(), 0) + 60_000,
    // Heartbeats are throttled to 80% of this: it bounds how fast a pause or abort stops the wait.
    heartbeatTimeout: '10s',
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry,
  });
  let result: RolloutResult | undefined;
  const scope = new CancellationScope();
  const waiting = scope.run(() => waitForRollout({ targets, cluster, deadline })).then((r) => (result = r));
  await Promise.race([waiting, condition(interrupted)]);
  if (result) return result;
  scope.cancel();
  try {
    await waiting;
  } catch (err) {
    if (!isCancellation(err)) throw err;
  }
  return result;
}

/** Rollout progress of one workload, judged as `kubectl rollout status` does. */

export type RolloutState = { done: true } | { done: false; failed?: string; waiting: string };

interface Workload {
  kind?: string;
  metadata?: { name?: string; generation?: number };
  spec?: {
    replicas?: number;
    updateStrategy?: { type?: string; rollingUpdate?: { partition?: number } };
  };
  status?: Record<string, any>;
}

export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet'] as const;

/**
 * The ReplicaSet a Deployment's `ProgressDeadlineExceeded` condition names. After a rollback the
 * controller records the new generation before it re-evaluates progress, and it re-evaluates only
 * when the replica counts move again (on a real control plane the condition stayed for minutes):
 * the condition still blames the abandoned ReplicaSet. `kubectl rollout status` reports that as a
 * failure; we judge the current ReplicaSet by the replica counts.
 */
export function timedOutReplicaSet(obj: Workload): string | undefined {
  const progressing = conditions(obj.status).find((c) => c.type === 'Progressing');
  if (progressing?.reason !== 'ProgressDeadlineExceeded') return undefined;
  return /ReplicaSet "([^"]+)"/.exec(progressing.message ?? '')?.[1] ?? '';
}

/** `currentReplicaSet`: the ReplicaSet of the Deployment's current revision, when looked up. */
export function rolloutState(obj: Workload, currentReplicaSet?: string): RolloutState {
  const status = obj.status ?? {};
  const generation = obj.metadata?.generation ?? 0;
  if ((status.observedGeneration ?? 0) < generation)
    return { done: false, waiting: 'waiting for the controller to observe the new generation' };
  switch (obj.kind) {
    case 'Deployment':
      return deploymentState(obj, status, currentReplicaSet);
    case 'StatefulSet':
      return statefulSetState(obj, status);
    case 'DaemonSet':
      return daemonSetState(status);
    default:
      return { done: true };
  }
}

type Condition = { type: string; reason?: string; message?: string };

function conditions(status: Record<string, any> | undefined): Condition[] {
  return (status?.conditions as Condition[] | undefined) ?? [];
}

function deploymentState(obj: Workload, s: Record<string, any>, currentReplicaSet?: string): RolloutState {
  const progressing = conditions(s).find((c) => c.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') {
    const blamed = timedOutReplicaSet(obj);
    // the condition is about a ReplicaSet the rollback abandoned: the replica counts tell the rest
    const stale = Boolean(blamed && currentReplicaSet && blamed !== currentReplicaSet);
    if (!stale)
      return {
        done: false,
        failed: `ProgressDeadlineExceeded: ${progressing.message ?? 'rollout timed out progressing'}`,
        waiting: '',
      };
  }
  const desired = obj.spec?.replicas ?? 1;
  const updated = s.updatedReplicas ?? 0;
  if (updated < desired) return { done: false, waiting: `${updated} of ${desired} new replicas updated` };
  if ((s.replicas ?? 0) > updated)
    return { done: false, waiting: `${(s.replicas ?? 0) - updated} old replicas pending termination` };
  if ((s.availableReplicas ?? 0) < updated)
    return { done: false, waiting: `${s.availableReplicas ?? 0} of ${updated} updated replicas available` };
  return { done: true };
}

function statefulSetState(obj: Workload, s: Record<string, any>): RolloutState {
  if (obj.spec?.updateStrategy?.type === 'OnDelete') return { done: true };
  const desired = obj.spec?.replicas ?? 1;
  if ((s.readyReplicas ?? 0) < desired)
    return { done: false, waiting: `${s.readyReplicas ?? 0} of ${desired} pods ready` };
  const partition = obj.spec?.updateStrategy?.rollingUpdate?.partition ?? 0;
  if (partition > 0) {
    const needed = desired - partition;
    return (s.updatedReplicas ?? 0) >= needed
      ? { done: true }
      : { done: false, waiting: `${s.updatedReplicas ?? 0} of ${needed} partitioned pods updated` };
  }
  if (s.updateRevision !== s.currentRevision)
    return { done: false, waiting: `${s.updatedReplicas ?? 0} of ${desired} pods updated` };
  return { done: true };
}

function daemonSetState(s: Record<string, any>): RolloutState {
  const desired = s.desiredNumberScheduled ?? 0;
  if ((s.updatedNumberScheduled ?? 0) < desired)
    return { done: false, waiting: `${s.updatedNumberScheduled ?? 0} of ${desired} updated pods scheduled` };
  if ((s.numberAvailable ?? 0) < desired)
    return { done: false, waiting: `${s.numberAvailable ?? 0} of ${desired} updated pods available` };
  return { done: true };
}

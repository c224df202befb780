/**
 * A small deployment controller: a changed pod template gets a ReplicaSet and the next revision
 * (an old template's ReplicaSet is reused, as on rollback), then the rollout succeeds, or fails
 * with ProgressDeadlineExceeded when an image cannot be pulled.
 */
import { createHash } from 'node:crypto';
import { clone, type KubeObject, type ObjectStore } from './store';

const REVISION = 'deployment.kubernetes.io/revision';
export type RolloutOutcome = 'succeed' | 'fail' | 'hang';
export type RolloutBehavior = (deployment: KubeObject) => RolloutOutcome;

export const defaultRollout: RolloutBehavior = (deployment) =>
  (deployment.spec.template.spec.containers as Array<{ image: string }>).some((c) =>
    /does-not-exist|\.invalid\//.test(c.image),
  )
    ? 'fail'
    : 'succeed';

export function templateHash(template: unknown): string {
  const copy = clone(template) as any;
  if (copy?.metadata?.labels) delete copy.metadata.labels['pod-template-hash'];
  return createHash('sha256').update(stableJson(copy)).digest('hex').slice(0, 10);
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

export function reconcileDeployment(
  store: ObjectStore,
  deployment: KubeObject,
  behavior: RolloutBehavior,
): void {
  const namespace = deployment.metadata.namespace;
  const hash = templateHash(deployment.spec.template);
  const owned = store
    .list('replicasets', namespace)
    .filter((rs) => rs.metadata.ownerReferences?.some((o) => o.uid === deployment.metadata.uid));
  const current = owned.find((rs) => rs.metadata.labels?.['pod-template-hash'] === hash);
  const deployedRevision = deployment.metadata.annotations?.[REVISION];
  if (current && current.metadata.annotations?.[REVISION] === deployedRevision) {
    // Nothing new to roll out (e.g. only spec.paused changed): the controller just observes it.
    deployment.status = { ...deployment.status, observedGeneration: deployment.metadata.generation };
    store.put('deployments', deployment);
    return;
  }
  const next = String(
    Math.max(0, ...owned.map((rs) => Number(rs.metadata.annotations?.[REVISION] ?? 0))) + 1,
  );
  const rs: KubeObject = current ?? {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${deployment.metadata.name}-${hash}`,
      namespace,
      labels: { ...deployment.spec.template.metadata?.labels, 'pod-template-hash': hash },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          name: deployment.metadata.name,
          uid: deployment.metadata.uid,
          controller: true,
        },
      ],
    },
    spec: {
      replicas: deployment.spec.replicas ?? 1,
      selector: { matchLabels: { ...deployment.spec.selector.matchLabels, 'pod-template-hash': hash } },
      template: {
        ...clone(deployment.spec.template),
        metadata: {
          ...deployment.spec.template.metadata,
          labels: { ...deployment.spec.template.metadata?.labels, 'pod-template-hash': hash },
        },
      },
    },
  };
  rs.metadata.annotations = { ...rs.metadata.annotations, [REVISION]: next };
  for (const old of owned)
    if (old.metadata.name !== rs.metadata.name)
      store.put('replicasets', { ...old, spec: { ...old.spec, replicas: 0 } });
  store.put('replicasets', rs);
  deployment.metadata.annotations = { ...deployment.metadata.annotations, [REVISION]: next };
  store.put('deployments', deployment);

  const outcome = behavior(deployment);
  setTimeout(() => {
    const latest = store.get('deployments', namespace, deployment.metadata.name);
    if (!latest || latest.metadata.generation !== deployment.metadata.generation || outcome === 'hang')
      return;
    const replicas = latest.spec.replicas ?? 1;
    const now = new Date().toISOString();
    latest.status =
      outcome === 'succeed'
        ? {
            observedGeneration: latest.metadata.generation,
            replicas,
            updatedReplicas: replicas,
            readyReplicas: replicas,
            availableReplicas: replicas,
            conditions: [
              {
                type: 'Available',
                status: 'True',
                reason: 'MinimumReplicasAvailable',
                lastUpdateTime: now,
                lastTransitionTime: now,
              },
              {
                type: 'Progressing',
                status: 'True',
                reason: 'NewReplicaSetAvailable',
                message: `ReplicaSet "${rs.metadata.name}" has successfully progressed.`,
                lastUpdateTime: now,
                lastTransitionTime: now,
              },
            ],
          }
        : {
            observedGeneration: latest.metadata.generation,
            replicas: replicas + 1,
            updatedReplicas: 1,
            readyReplicas: replicas,
            availableReplicas: replicas,
            unavailableReplicas: 1,
            conditions: [
              {
                type: 'Progressing',
                status: 'False',
                reason: 'ProgressDeadlineExceeded',
                message: `ReplicaSet "${rs.metadata.name}" has timed out progressing.`,
                lastUpdateTime: now,
                lastTransitionTime: now,
              },
            ],
          };
    store.put('deployments', latest);
  }, 50);
}

/** StatefulSets and DaemonSets: the rollout completes at once. */
export function reconcileOtherWorkload(store: ObjectStore, resource: string, obj: KubeObject): void {
  setTimeout(() => {
    const latest = store.get(resource, obj.metadata.namespace, obj.metadata.name);
    if (!latest) return;
    const replicas = latest.spec.replicas ?? 1;
    latest.status =
      resource === 'daemonsets'
        ? {
            observedGeneration: latest.metadata.generation,
            desiredNumberScheduled: 1,
            currentNumberScheduled: 1,
            updatedNumberScheduled: 1,
            numberAvailable: 1,
            numberReady: 1,
            numberMisscheduled: 0,
          }
        : {
            observedGeneration: latest.metadata.generation,
            replicas,
            readyReplicas: replicas,
            updatedReplicas: replicas,
            availableReplicas: replicas,
            currentRevision: 'r1',
            updateRevision: 'r1',
          };
    store.put(resource, latest);
  }, 50);
}

import { AppsV1Api, type KubeConfig, type V1Deployment, type V1ReplicaSet } from '@kubernetes/client-node';
import { serverSideApply, type Manifest } from './apply';

const REVISION = 'deployment.kubernetes.io/revision';

export interface RollbackResult {
  name: string;
  namespace: string;
  fromRevision?: string;
  toRevision?: string;
  /** Why nothing was rolled back (first rollout, no older ReplicaSet). */
  skipped?: string;
}

/**
 * Rolls a Deployment back to its previous revision, as `kubectl rollout undo` does: re-apply the
 * pod template of the newest ReplicaSet older than the current one. The rest of the manifest is
 * applied unchanged so server-side apply keeps owning the same fields.
 */
export async function rollbackDeployment(kc: KubeConfig, manifest: Manifest): Promise<RollbackResult> {
  const apps = kc.makeApiClient(AppsV1Api);
  const name = manifest.metadata.name;
  const namespace = manifest.metadata.namespace ?? 'default';
  const deployment = await apps.readNamespacedDeployment({ name, namespace });
  const current = deployment.metadata?.annotations?.[REVISION];
  const replicaSets = await ownedReplicaSets(apps, deployment);
  const previous = replicaSets
    .filter((rs) => revision(rs) < Number(current ?? 0))
    .sort((a, b) => revision(b) - revision(a))[0];
  if (!previous?.spec?.template) {
    return { name, namespace, fromRevision: current, skipped: 'no previous revision to roll back to' };
  }
  const template = JSON.parse(JSON.stringify(previous.spec.template)) as {
    metadata?: { labels?: Record<string, string> };
  };
  delete template.metadata?.labels?.['pod-template-hash'];
  const spec = { ...(manifest.spec as object), template };
  await serverSideApply(kc, { ...manifest, spec });
  return { name, namespace, fromRevision: current, toRevision: String(revision(previous)) };
}

const revision = (rs: V1ReplicaSet) => Number(rs.metadata?.annotations?.[REVISION] ?? 0);

async function ownedReplicaSets(apps: AppsV1Api, deployment: V1Deployment): Promise<V1ReplicaSet[]> {
  const selector = Object.entries(deployment.spec?.selector.matchLabels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  const { items } = await apps.listNamespacedReplicaSet({
    namespace: deployment.metadata?.namespace ?? 'default',
    labelSelector: selector,
  });
  return items.filter((rs) => rs.metadata?.ownerReferences?.some((o) => o.uid === deployment.metadata?.uid));
}

/** The ReplicaSet of the Deployment's current revision, once the controller has made it. */
export async function currentReplicaSet(
  kc: KubeConfig,
  name: string,
  namespace: string,
): Promise<string | undefined> {
  const apps = kc.makeApiClient(AppsV1Api);
  const deployment = await apps.readNamespacedDeployment({ name, namespace });
  const current = deployment.metadata?.annotations?.[REVISION];
  if (current === undefined) return undefined;
  const replicaSets = await ownedReplicaSets(apps, deployment);
  return replicaSets.find((rs) => rs.metadata?.annotations?.[REVISION] === current)?.metadata?.name;
}

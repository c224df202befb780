import {
  AppsV1Api,
  CoreV1Api,
  type KubeConfig,
  type V1ControllerRevision,
  type V1LabelSelector,
} from '@kubernetes/client-node';
import { serverSideApply, type Manifest } from './apply';
import type { RollbackResult } from './rollback';
import { sleep } from '../../../../lib/sleep';

/**
 * Rolls a StatefulSet or DaemonSet back to its previous revision, as `kubectl rollout undo` does:
 * their history is kept in ControllerRevisions whose `data` holds the pod template. The template
 * of the newest revision older than the current one is re-applied.
 */
export async function rollbackByControllerRevision(
  kc: KubeConfig,
  manifest: Manifest,
): Promise<RollbackResult> {
  const apps = kc.makeApiClient(AppsV1Api);
  const name = manifest.metadata.name;
  const namespace = manifest.metadata.namespace ?? 'default';
  const workload =
    manifest.kind === 'StatefulSet'
      ? await apps.readNamespacedStatefulSet({ name, namespace })
      : await apps.readNamespacedDaemonSet({ name, namespace });
  const revisions = (
    await apps.listNamespacedControllerRevision({
      namespace,
      labelSelector: selectorString(workload.spec?.selector),
    })
  ).items
    .filter((cr) => cr.metadata?.ownerReferences?.some((o) => o.uid === workload.metadata?.uid))
    .sort((a, b) => b.revision - a.revision);
  const [current, previous] = revisions;
  const template = previous && templateOf(previous);
  if (!current || !template) {
    return {
      name,
      namespace,
      fromRevision: current ? String(current.revision) : undefined,
      skipped: 'no previous revision to roll back to',
    };
  }
  const applied = await serverSideApply(kc, {
    ...manifest,
    spec: { ...(manifest.spec as object), template },
  });
  if (manifest.kind === 'StatefulSet') {
    // Only once the controller works from the restored revision, or it recreates the broken pods
    // (bounded well inside the activity's heartbeat timeout).
    const deadline = Date.now() + 20_000;
    for (;;) {
      const sts = await apps.readNamespacedStatefulSet({ name, namespace });
      if ((sts.status?.observedGeneration ?? 0) >= (applied.generation ?? 0)) break;
      if (Date.now() > deadline)
        throw new Error(`StatefulSet ${name}: the controller did not observe the rollback`);
      await sleep(500);
    }
    await replaceStuckPods(kc, namespace, workload.spec?.selector, previous);
  }
  return { name, namespace, fromRevision: String(current.revision), toRevision: String(previous.revision) };
}

function selectorString(selector: V1LabelSelector | undefined): string {
  return Object.entries(selector?.matchLabels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** The revision's data is a patch `{ spec: { template: { ..., $patch: replace } } }`. */
function templateOf(revision: V1ControllerRevision): object | undefined {
  const data = revision.data as { spec?: { template?: Record<string, unknown> } } | undefined;
  const template = data?.spec?.template;
  if (!template) return undefined;
  const { $patch: _replace, ...rest } = template;
  return rest;
}

/**
 * A StatefulSet waits for a broken pod to become Ready before it replaces it, which never happens:
 * pods of another revision that are not Ready are deleted so the controller recreates them from
 * the restored template (the "forced rollback" step of the StatefulSet documentation).
 */
async function replaceStuckPods(
  kc: KubeConfig,
  namespace: string,
  selector: V1LabelSelector | undefined,
  restored: V1ControllerRevision,
): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  const pods = await core.listNamespacedPod({ namespace, labelSelector: selectorString(selector) });
  for (const pod of pods.items) {
    const revision = pod.metadata?.labels?.['controller-revision-hash'];
    const ready = pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
    if (revision === restored.metadata?.name || ready) continue;
    await core.deleteNamespacedPod({ name: pod.metadata?.name ?? '', namespace }).catch(() => undefined); // gone already
  }
}

import { CoreV1Api, type KubeConfig, type V1Pod, type V1Secret } from '@kubernetes/client-node';
import { deletePod } from './pod-api';
import { deleteStepSecret } from './step-secret';
import { ANNOTATION, LABEL } from './pod-spec';

export interface SweepOptions {
  kubeConfig: KubeConfig;
  /** Is the run still going? Pods of active runs are left alone. */
  isRunActive(runId: string): Promise<boolean>;
  /** Namespaces to sweep; all namespaces (needs a cluster-wide list permission) when absent. */
  namespaces?: string[];
  /** Failed pods kept by keepOnFailure survive this long after the run ended (default 24 h). */
  keepFailedMs?: number;
  /** Clock, for tests. */
  now?: () => number;
}

export interface SweepResult {
  deleted: Array<{ namespace: string; name: string; runId: string }>;
  kept: number;
  /** Step Secrets no pod owns (their worker died between creating the Secret and the pod). */
  deletedSecrets: Array<{ namespace: string; name: string; runId: string }>;
}

/** Deletes containerops step pods whose run has ended, so a crashed worker never leaks pods. */
export async function sweepLeakedPods(options: SweepOptions): Promise<SweepResult> {
  const core = options.kubeConfig.makeApiClient(CoreV1Api);
  const now = options.now ?? Date.now;
  const keepFailedMs = options.keepFailedMs ?? 24 * 3600_000;
  const labelSelector = LABEL.run;
  const pods: V1Pod[] = [];
  if (options.namespaces) {
    for (const namespace of options.namespaces)
      pods.push(...(await core.listNamespacedPod({ namespace, labelSelector })).items);
  } else {
    pods.push(...(await core.listPodForAllNamespaces({ labelSelector })).items);
  }

  const active = new Map<string, boolean>();
  const result: SweepResult = { deleted: [], kept: 0, deletedSecrets: [] };
  for (const pod of pods) {
    const meta = pod.metadata ?? {};
    const runId = meta.annotations?.[ANNOTATION.runId] ?? meta.labels?.[LABEL.run] ?? '';
    if (!active.has(runId)) active.set(runId, await options.isRunActive(runId));
    if (active.get(runId) || meta.deletionTimestamp) {
      result.kept++;
      continue;
    }
    if (meta.annotations?.[ANNOTATION.keepOnFailure] === 'true' && pod.status?.phase === 'Failed') {
      const created = new Date(meta.creationTimestamp ?? 0).getTime();
      if (now() - created < keepFailedMs) {
        result.kept++;
        continue;
      }
    }
    await deletePod(core, meta.namespace ?? 'default', meta.name ?? '', 0);
    result.deleted.push({ namespace: meta.namespace ?? 'default', name: meta.name ?? '', runId });
  }

  const secrets: V1Secret[] = [];
  if (options.namespaces) {
    for (const namespace of options.namespaces)
      secrets.push(...(await core.listNamespacedSecret({ namespace, labelSelector })).items);
  } else {
    secrets.push(...(await core.listSecretForAllNamespaces({ labelSelector })).items);
  }
  for (const secret of secrets) {
    const meta = secret.metadata ?? {};
    if (meta.ownerReferences?.length) continue; // the garbage collector deletes it with its pod
    const runId = meta.annotations?.[ANNOTATION.runId] ?? meta.labels?.[LABEL.run] ?? '';
    if (!active.has(runId)) active.set(runId, await options.isRunActive(runId));
    if (active.get(runId)) continue;
    await deleteStepSecret(core, meta.namespace ?? 'default', meta.name ?? '');
    result.deletedSecrets.push({ namespace: meta.namespace ?? 'default', name: meta.name ?? '', runId });
  }
  return result;
}

/**
 * Deployment activities: server-side apply, rollout wait, rollback, pause. Cluster credentials
 * are resolved here from a service name; they never travel in workflow payloads.
 */
import { ApplicationFailure, cancellationSignal, heartbeat } from '@temporalio/activity';
import {
  PatchStrategy,
  KubernetesObjectApi,
  type KubeConfig,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { apiProblem, isPermanent } from '../api-errors';
import { loadKubeConfig } from '../kubeconfig';
import { sleep } from '../../../../lib/sleep';
import { asManifest, FIELD_MANAGER, readObject, serverSideApply, type AppliedObject } from './apply';
import { currentReplicaSet, rollbackDeployment, type RollbackResult } from './rollback';
import { rollbackByControllerRevision } from './rollback-revisions';
import { rolloutState, timedOutReplicaSet, WORKLOAD_KINDS } from './rollout-status';

export type { AppliedObject } from './apply';
export type { RollbackResult } from './rollback';

export const DEPLOY_ERROR_TYPES = {
  invalidManifest: 'InvalidManifest',
  clusterUnreachable: 'ClusterUnreachable',
  rolloutFailed: 'RolloutFailed',
} as const;

export interface ClusterRef {
  /** Name of a registered `kubernetes-cluster` service; the worker's default cluster when absent. */
  cluster?: string;
}

export interface ApplyInput extends ClusterRef {
  manifests: object[];
  namespace: string;
}

export interface WaitInput extends ClusterRef {
  targets: AppliedObject[];
  /** Epoch ms (from the workflow clock), so a retried activity keeps the same deadline. */
  deadline: number;
  pollMs?: number;
}

export type RolloutResult = { ok: true } | { ok: false; reason: string; target?: AppliedObject };

export interface PauseInput extends ClusterRef {
  targets: AppliedObject[];
  paused: boolean;
}

export interface DeployActivityOptions {
  /** Credentials for a cluster service name (undefined: the worker's own cluster). */
  resolveKubeConfig?(cluster: string | undefined): Promise<KubeConfig>;
}

export function createDeployActivities(options: DeployActivityOptions = {}) {
  const resolve = options.resolveKubeConfig ?? (async () => loadKubeConfig());

  return {
    /** Applies every manifest in order; heartbeat details record what is already applied. */
    async applyManifests(input: ApplyInput): Promise<AppliedObject[]> {
      const kc = await resolve(input.cluster);
      const manifests = input.manifests.map((m) => {
        try {
          return asManifest(m, input.namespace);
        } catch (err) {
          throw ApplicationFailure.nonRetryable((err as Error).message, DEPLOY_ERROR_TYPES.invalidManifest);
        }
      });
      const applied: AppliedObject[] = [];
      for (const manifest of manifests) {
        applied.push(
          await kubeCall(
            () => serverSideApply(kc, manifest),
            `apply ${manifest.kind}/${manifest.metadata.name}`,
          ),
        );
        heartbeat({ applied });
      }
      return applied;
    },

    /** Waits until every Deployment/StatefulSet/DaemonSet has rolled out, or one fails, or the deadline passes. */
    async waitForRollout(input: WaitInput): Promise<RolloutResult> {
      const kc = await resolve(input.cluster);
      const workloads = input.targets.filter((t) => (WORKLOAD_KINDS as readonly string[]).includes(t.kind));
      const signal = cancellationSignal();
      for (;;) {
        const waiting: string[] = [];
        for (const target of workloads) {
          const obj = await kubeCall(() => readObject(kc, target), `read ${target.kind}/${target.name}`);
          if ((obj.metadata?.generation ?? 0) < (target.generation ?? 0)) continue; // stale read
          const blamed = obj.kind === 'Deployment' ? timedOutReplicaSet(obj) : undefined;
          const current = blamed
            ? await kubeCall(
                () => currentReplicaSet(kc, target.name, target.namespace ?? 'default'),
                `list ReplicaSets of ${target.name}`,
              )
            : undefined;
          const state = rolloutState(obj, current);
          if (!state.done && state.failed)
            return { ok: false, reason: `${target.kind}/${target.name}: ${state.failed}`, target };
          if (!state.done) waiting.push(`${target.kind}/${target.name}: ${state.waiting}`);
        }
        heartbeat({
          waiting,
          targets: input.targets.map((t) => ({ name: t.name, generation: t.generation })),
        });
        if (!waiting.length) return { ok: true };
        if (Date.now() > input.deadline)
          return { ok: false, reason: `rollout timed out: ${waiting.join('; ')}` };
        await sleep(input.pollMs ?? 2000, signal);
        if (signal.aborted) throw signal.reason ?? new Error('cancelled');
      }
    },

    /**
     * Rolls every workload back to its previous revision: Deployments to their previous
     * ReplicaSet's template, StatefulSets and DaemonSets to their previous ControllerRevision's.
     * (The name predates StatefulSets and DaemonSets; it stays for workflow history replay.)
     */
    async rollbackDeployments(input: ApplyInput): Promise<RollbackResult[]> {
      const kc = await resolve(input.cluster);
      const results: RollbackResult[] = [];
      for (const raw of input.manifests) {
        const manifest = asManifest(raw, input.namespace);
        const { name } = manifest.metadata;
        if (!(WORKLOAD_KINDS as readonly string[]).includes(manifest.kind)) continue;
        const rollback = manifest.kind === 'Deployment' ? rollbackDeployment : rollbackByControllerRevision;
        results.push(await kubeCall(() => rollback(kc, manifest), `roll back ${manifest.kind}/${name}`));
        heartbeat({ results });
      }
      return results;
    },

    /** Pauses or resumes Deployments (spec.paused), as `kubectl rollout pause|resume` does. */
    async setRolloutPaused(input: PauseInput): Promise<void> {
      const kc = await resolve(input.cluster);
      const client = KubernetesObjectApi.makeApiClient(kc);
      for (const target of input.targets.filter((t) => t.kind === 'Deployment')) {
        const patch = {
          apiVersion: target.apiVersion,
          kind: target.kind,
          metadata: { name: target.name, namespace: target.namespace },
          spec: { paused: input.paused },
        } as KubernetesObject;
        await kubeCall(
          () =>
            client.patch(
              patch,
              undefined,
              undefined,
              `${FIELD_MANAGER}-pause`,
              undefined,
              PatchStrategy.MergePatch,
            ),
          `pause Deployment/${target.name}`,
        );
      }
    },
  };
}

export type DeployActivities = ReturnType<typeof createDeployActivities>;

/** 4xx validation errors are final; anything else (unreachable, 5xx, throttled) is retried by Temporal. */
async function kubeCall<T>(call: () => Promise<T>, what: string): Promise<T> {
  try {
    return await call();
  } catch (err) {
    const problem = apiProblem(err);
    const message = `${what}: ${problem.code ? `HTTP ${problem.code}: ` : ''}${problem.message}`;
    if (isPermanent(problem))
      throw ApplicationFailure.nonRetryable(message, DEPLOY_ERROR_TYPES.invalidManifest);
    throw ApplicationFailure.retryable(message, DEPLOY_ERROR_TYPES.clusterUnreachable);
  }
}

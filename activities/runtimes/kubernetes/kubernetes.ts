import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { loadKubeConfig } from './kubeconfig';
import { runPod, type PodRunSettings } from './pod-run';
import type { StepHooks, StepLaunch, StepOutcome, StepRuntime } from '../runtime';

export { loadKubeConfig, type KubeConfigSource } from './kubeconfig';
export { podName, LABEL as POD_LABELS } from './pod-spec';

export interface KubernetesRuntimeOptions {
  /** Cluster credentials; default: KUBECONFIG, ~/.kube/config or in-cluster (see loadKubeConfig). */
  kubeConfig?: KubeConfig;
  /** Namespace for step pods when the step names none. */
  namespace?: string;
  /** A pod still Pending after this long fails as 'unschedulable' (default 5 min). */
  pendingTimeoutMs?: number;
  /** Keep failed pods for inspection (the sweep removes them once the run has ended). */
  keepOnFailure?: boolean;
  /** Grace period for pods stopped by cancel or timeout (default 10 s). */
  deleteGraceSeconds?: number;
  /** Also GET the pod this often, in case a watch stalls silently (default 30 s; 0 disables). */
  pollFallbackMs?: number;
  /** Heartbeat and housekeeping interval (default 2 s). */
  heartbeatMs?: number;
  /** How long the API may be unreachable before the attempt fails as 'infrastructure' (default 5 min). */
  apiUnreachableMs?: number;
  /** Extra annotations on every step pod (a service mesh's, the cluster autoscaler's, kwok's stage rules). */
  podAnnotations?: Record<string, string>;
  /** Image of the containers that move artifacts in and out of step pods (default containerops:0.1.0). */
  toolImage?: string;
}

/** Runs each step attempt as one Kubernetes pod (restartPolicy Never). */
export class KubernetesRuntime implements StepRuntime {
  readonly name = 'kubernetes' as const;
  private readonly settings: PodRunSettings;

  constructor(options: KubernetesRuntimeOptions = {}) {
    const kc = options.kubeConfig ?? loadKubeConfig();
    this.settings = {
      kc,
      core: kc.makeApiClient(CoreV1Api),
      namespace: options.namespace ?? 'default',
      pendingTimeoutMs: options.pendingTimeoutMs ?? 5 * 60_000,
      keepOnFailure: options.keepOnFailure ?? false,
      deleteGraceSeconds: options.deleteGraceSeconds ?? 10,
      heartbeatMs: options.heartbeatMs ?? 2_000,
      logDrainMs: 30_000,
      apiUnreachableMs: options.apiUnreachableMs ?? 5 * 60_000,
      pollFallbackMs: options.pollFallbackMs ?? 30_000,
      podAnnotations: options.podAnnotations,
      toolImage: options.toolImage,
    };
  }

  run(launch: StepLaunch, hooks: StepHooks): Promise<StepOutcome> {
    return runPod(this.settings, launch, hooks);
  }
}

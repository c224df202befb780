import type { Config } from '../lib/config';
import type { Db } from '../lib/db';
import type { Logger } from '../lib/logger';
import type { RunRecord, RunStepInput, StepRecord } from '../contract';
import { recordRun, recordStep } from './read-model';
import { createMailReceivers } from './notify/receivers';
import { activityAttemptContext, createRunStep } from './run-step';
import { createRunChain } from './run-chain';
import { requestDockyardGc } from './dockyard/gc';
import { requestLogArchive } from './logarithm/retention';
import type { LogStore } from './logarithm/store';
import type { WorkerMetrics } from './metrics';
import { LocalRuntime } from './runtimes/local/local';
import { ContainerRuntime } from './runtimes/container/container';
import type { RuntimeName, StepRuntime } from './runtimes/runtime';
import type { KubernetesRuntime } from './runtimes/kubernetes/kubernetes';
import type { DeployActivities } from './runtimes/kubernetes/deploy/deploy';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Client } from '@temporalio/client';
import { createTriggerActivities } from './triggers';
import { prepareScheduledRun } from './scheduled';
import { removeSucceededRunWorkspace } from './workspaces';

import { deployModule, kubernetesRuntimeModule } from './runtimes/kubernetes/module';
import { ApplicationFailure } from '@temporalio/common';
import { kubeconfigOf } from '../contract/service-types';
import { createVault } from './scaler/vault';
import { createForgeStatusActivities } from './forge-status';

export interface ActivityDeps {
  config: Config;
  db: Db;
  logger: Logger;
  logStore: LogStore;
  /** cluster credentials for pods and deployments; default: KUBECONFIG, ~/.kube/config or in-cluster */
  kubeConfig?: KubeConfig;
  /** the worker's co_* series; none in tests that do not look at them */
  metrics?: WorkerMetrics;
  /** runtimes by name; the local runtime is always there */
  runtimes?: Partial<Record<RuntimeName, StepRuntime>>;
  /** Temporal client for activities that start or signal workflows (concurrency groups, downstream runs) */
  client?: () => Promise<Client>;
}

export function createActivities(deps: ActivityDeps) {
  const runtimes = {
    local: new LocalRuntime({ killGraceMs: deps.config.CO_STEP_KILL_GRACE_MS }),
    container: containerRuntime(deps.config),
    kubernetes: lazyKubernetesRuntime(deps.config, deps.kubeConfig),
    ...deps.runtimes,
  };
  const untimed = createRunStep({ ...deps, runtimes });
  const runStep = deps.metrics ? deps.metrics.timeStep(untimed) : untimed;
  return {
    runStep: (input: RunStepInput) => runStep(input, activityAttemptContext()),
    runChain: createRunChain(runStep),
    mailReceivers: createMailReceivers({ ...deps, vault: createVault(deps) }),
    ...lazyDeployActivities(clusterResolver(deps)),
    ...createTriggerActivities({
      ...deps,
      client: deps.client ?? (() => Promise.reject(new Error('this worker has no Temporal client'))),
    }),
    ...createForgeStatusActivities(deps),
    collectDockyardGarbage: () => requestDockyardGc(deps.config),
    archiveExpiredLogs: () => requestLogArchive(deps.config),
    async recordSteps(records: StepRecord[]): Promise<void> {
      for (const r of records) await recordStep(deps.db, r);
    },
    async prepareScheduledRun(req: { scheduleId: string; workflowId: string }) {
      return prepareScheduledRun(deps.db, deps.config, req);
    },
    async recordRun(record: RunRecord): Promise<void> {
      // before the status is written, so a succeeded run is never seen with its files still there
      if (record.status === 'succeeded')
        await removeSucceededRunWorkspace(deps.config, deps.db, record.runId);
      const finished = await recordRun(deps.db, record);
      if (finished && deps.metrics) await recordRunDuration(deps.db, deps.metrics, record);
    },
  };
}

async function recordRunDuration(db: Db, metrics: WorkerMetrics, record: RunRecord): Promise<void> {
  const run = await db.run.findUnique({
    where: { id: record.runId },
    select: { createdAt: true, project: { select: { name: true } }, pipeline: { select: { name: true } } },
  });
  if (!run) return;
  const seconds = Math.max(0, (new Date(record.at).getTime() - run.createdAt.getTime()) / 1000);
  metrics.runFinished(
    { project: run.project.name, pipeline: run.pipeline.name, status: record.status },
    seconds,
  );
}

/** podman + runc on this machine; dockyard, when the worker reaches it over plain HTTP, is pulled from over HTTP. */
function containerRuntime(config: Config): ContainerRuntime {
  const dockyard = new URL(
    config.CO_API_URL ?? config.CO_PUBLIC_URL ?? `http://${config.HOST}:${config.PORT}`,
  );
  return new ContainerRuntime({
    killGraceMs: config.CO_STEP_KILL_GRACE_MS,
    defaultImage: config.CO_CONTAINER_IMAGE,
    registry: {
      authfile: config.CO_CONTAINER_AUTHFILE,
      insecure: dockyard.protocol === 'http:' ? [dockyard.host] : [],
      dockyard: dockyard.host,
    },
  });
}

/** The cluster's credentials are loaded on the first kubernetes step, so a worker without a cluster starts fine. */
function lazyKubernetesRuntime(config: Config, kubeConfig: KubeConfig | undefined): StepRuntime {
  let runtime: KubernetesRuntime | undefined;
  return {
    name: 'kubernetes',
    async run(launch, hooks) {
      try {
        runtime ??= new (kubernetesRuntimeModule().KubernetesRuntime)({
          kubeConfig,
          namespace: config.CO_K8S_NAMESPACE,
          pendingTimeoutMs: config.CO_K8S_PENDING_TIMEOUT_MS,
          keepOnFailure: config.CO_K8S_KEEP_FAILED_PODS,
          toolImage: config.CO_K8S_TOOL_IMAGE,
        });
      } catch (err) {
        const message = `no Kubernetes cluster is configured for this worker: ${(err as Error).message}`;
        return { exitCode: null, outputs: {}, failure: { kind: 'invalid', retryable: false, message } };
      }
      return runtime.run(launch, hooks);
    },
  };
}

/** `project/service` -> that kubernetes-cluster service's credentials; no cluster -> the worker's own. */
function clusterResolver(deps: ActivityDeps) {
  const vault = createVault(deps);
  return async (cluster: string | undefined): Promise<KubeConfig> => {
    const slash = cluster?.indexOf('/') ?? -1;
    if (!cluster || slash < 0) return deps.kubeConfig ?? kubernetesRuntimeModule().loadKubeConfig();
    const [service] = await vault
      .services(cluster.slice(0, slash), [cluster.slice(slash + 1)])
      .catch((err: Error) => {
        throw ApplicationFailure.nonRetryable(err.message, 'ClusterUnknown');
      });
    if (service!.type !== 'kubernetes-cluster') {
      const message = `service ${service!.name} is a ${service!.type}, not a kubernetes-cluster`;
      throw ApplicationFailure.nonRetryable(message, 'ClusterUnknown');
    }
    const yaml = kubeconfigOf(service!.name, service!.url, service!.credentials, service!.config);
    return kubernetesRuntimeModule().loadKubeConfig({ kubeconfigYaml: yaml });
  };
}

function lazyDeployActivities(
  resolveKubeConfig: (cluster: string | undefined) => Promise<KubeConfig>,
): DeployActivities {
  let real: DeployActivities | undefined;
  const load = () => (real ??= deployModule().createDeployActivities({ resolveKubeConfig }));
  return {
    applyManifests: (...args) => load().applyManifests(...args),
    waitForRollout: (...args) => load().waitForRollout(...args),
    rollbackDeployments: (...args) => load().rollbackDeployments(...args),
    setRolloutPaused: (...args) => load().setRolloutPaused(...args),
  };
}

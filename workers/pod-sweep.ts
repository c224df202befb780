import type { KubeConfig } from '@kubernetes/client-node';
import { kubernetesRuntimeModule, podSweepModule } from '../activities/runtimes/kubernetes/module';
import type { Config } from '../lib/config';
import type { Db } from '../lib/db';
import type { Logger } from '../lib/logger';
import { TERMINAL_RUN_STATUSES, type RunStatus } from '../contract';

const FIRST_SWEEP_MS = 30_000;
const SWEEP_EVERY_MS = 10 * 60_000;

/**
 * Deletes step pods whose run has ended (a worker that crashed mid-step leaves its pod behind):
 * once shortly after start, then every ten minutes. Only on workers that run Kubernetes steps.
 */
export function schedulePodSweep(deps: {
  config: Config;
  db: Db;
  logger: Logger;
  kubeConfig?: KubeConfig;
}): () => void {
  const isRunActive = async (runId: string) => {
    const run = await deps.db.run.findUnique({ where: { id: runId }, select: { status: true } });
    return run !== null && !TERMINAL_RUN_STATUSES.includes(run.status as RunStatus);
  };
  const sweep = async () => {
    try {
      const k8s = kubernetesRuntimeModule();
      const kubeConfig = deps.kubeConfig ?? k8s.loadKubeConfig();
      const namespaces = (deps.config.CO_K8S_STEP_NAMESPACES ?? deps.config.CO_K8S_NAMESPACE).split(',');
      const result = await podSweepModule().sweepLeakedPods({ kubeConfig, isRunActive, namespaces });
      if (result.deleted.length) deps.logger.info({ deleted: result.deleted }, 'deleted leaked step pods');
      if (result.deletedSecrets.length)
        deps.logger.info({ deleted: result.deletedSecrets }, 'deleted step Secrets no pod owns');
    } catch (err) {
      deps.logger.warn({ err }, 'pod sweep failed');
    }
  };
  const first = setTimeout(() => void sweep(), FIRST_SWEEP_MS);
  const every = setInterval(() => void sweep(), SWEEP_EVERY_MS);
  first.unref();
  every.unref();
  return () => {
    clearTimeout(first);
    clearInterval(every);
  };
}

import type { KubeConfig } from '@kubernetes/client-node';
import { NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import { Client, Connection } from '@temporalio/client';
import { requireDatabaseUrl, type Config } from '../lib/config';
import type { Db } from '../lib/db';
import type { Logger } from '../lib/logger';
import { createActivities, type ActivityDeps } from '../activities';
import { createLogStore } from '../activities/logarithm/store';
import type { Registry } from 'prom-client';
import { createWorkerMetrics } from '../activities/metrics';
import { allSeries, promSeries, sdkSeries } from '../activities/metric-series';
import { tracingFromEnv } from '../lib/tracing';
import { workflowBundlerOptions } from '../lib/workflow-bundle';
import { schedulePodSweep } from './pod-sweep';
import { scheduleWorkspaceSweep } from './workspace-sweep';
import { sweepLeftContainers } from './container-sweep';
import { ensureHousekeepingSchedules } from './housekeeping-schedules';

export interface PipelineWorkerDeps {
  config: Config;
  db: Db;
  logger: Logger;
  /** A prebuilt workflow bundle (tests build it once per file); otherwise the worker bundles workflows/. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** cluster credentials (tests point them at a fake API server) */
  kubeConfig?: KubeConfig;
  /** step runtimes replacing the built-in ones (workflow tests use a fake runtime) */
  runtimes?: ActivityDeps['runtimes'];
  /** the API's prom-client registry when the worker shares its process (`npm start`): step series on its /metrics */
  metricsRegistry?: Registry;
}

export interface PipelineWorker {
  worker: Worker;
  connection: NativeConnection;
  /** Resolves when the worker has stopped. */
  done: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Options that decide the per-step floor. Measured here, each of these costs ~50 ms per step or
 * more: no workflow cache, fewer than 2 activity slots, or workflows and activities on separate
 * workers (eager activity dispatch needs both on one worker). test/unit/worker-tuning.test.ts guards them.
 */
export function pipelineWorkerTuning(config: Config) {
  const tuning = {
    maxConcurrentActivityTaskExecutions: config.CO_WORKER_MAX_ACTIVITIES,
    maxCachedWorkflows: 200,
    // running steps get this long to finish on SIGTERM before they are cancelled
    shutdownGraceTime: config.CO_SHUTDOWN_GRACE_MS,
    shutdownForceTime: config.CO_SHUTDOWN_GRACE_MS + 10_000,
    // a cancel reaches a step only in a heartbeat's answer; by default heartbeats are held for 80%
    // of the 15 s heartbeat timeout, which made a cancelled run take 5-11 s to stop its step
    maxHeartbeatThrottleInterval: '1s',
  } satisfies Partial<WorkerOptions>;
  // The SDK's 5 s stops a slow activation on a loaded machine, and Node then aborts the process
  // (docs/operations.md). Not in the SDK's typed options; Worker.create honours it over its default.
  return { ...tuning, isolateExecutionTimeout: config.CO_WORKFLOW_ACTIVATION_TIMEOUT_MS };
}

/** The periodic sweeps of left pods and workspaces, and one of containers left by a crash; stops them. */
function startSweeps(deps: PipelineWorkerDeps): () => void {
  const { config } = deps;
  const stopSweep =
    config.CO_RUNTIME === 'kubernetes' || deps.kubeConfig || process.env.KUBECONFIG
      ? schedulePodSweep({ config, db: deps.db, logger: deps.logger, kubeConfig: deps.kubeConfig })
      : () => undefined;
  const stopWorkspaceSweep = scheduleWorkspaceSweep({ config, db: deps.db, logger: deps.logger });
  void sweepLeftContainers(deps.logger);
  return () => {
    stopSweep();
    stopWorkspaceSweep();
  };
}

/** The worker of task queue `pipelines`: the run interpreter workflows and every step activity. */
export async function startPipelineWorker(deps: PipelineWorkerDeps): Promise<PipelineWorker> {
  const { config } = deps;
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const sdk = sdkSeries(Runtime.instance().metricMeter);
  const metrics = createWorkerMetrics(
    deps.metricsRegistry ? allSeries(sdk, promSeries(deps.metricsRegistry)) : sdk,
  );
  const logStore = metrics.countLogLines(createLogStore(requireDatabaseUrl(config)));
  const tracing = tracingFromEnv('containerops-worker');
  if (tracing && deps.workflowBundle) {
    deps.logger.info(
      'tracing is on: bundling workflows with the OpenTelemetry interceptors (the prebuilt bundle has none)',
    );
  }
  // activities that start or signal workflows share one client, connected on first use
  let clientConnection: Promise<Connection> | undefined;
  const client = async () => {
    clientConnection ??= Connection.connect({ address: config.TEMPORAL_ADDRESS });
    return new Client({ connection: await clientConnection, namespace: config.TEMPORAL_NAMESPACE });
  };
  const worker = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    ...(deps.workflowBundle && !tracing
      ? { workflowBundle: deps.workflowBundle }
      : { workflowsPath: require.resolve('../workflows'), bundlerOptions: workflowBundlerOptions }),
    ...(tracing ? { plugins: [tracing.workerPlugin] } : {}),
    activities: createActivities({
      config,
      db: deps.db,
      logger: deps.logger,
      logStore,
      metrics,
      kubeConfig: deps.kubeConfig,
      runtimes: deps.runtimes,
      client,
    }),
    ...pipelineWorkerTuning(config),
  });
  const stopSweeps = startSweeps(deps);
  await ensureHousekeepingSchedules(config, deps.logger);
  const done = worker.run();
  return {
    worker,
    connection,
    done,
    async stop() {
      stopSweeps();
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done.catch(() => undefined);
      await connection.close();
      await logStore.close();
      await tracing?.shutdown();
      if (clientConnection) await (await clientConnection).close();
    },
  };
}

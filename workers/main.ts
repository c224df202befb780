import path from 'node:path';
import v8 from 'node:v8';
import { loadConfig, requireDatabaseUrl } from '../lib/config';
import { connectDatabase, connectTemporalOrFail } from '../lib/connect';
import { createLogger } from '../lib/logger';
import { runMain } from '../lib/main';
import { installTemporalRuntime, workerMetricsAddress } from '../lib/temporal-runtime';
import { assertKeyringOpensDatabase } from '../services/scaler/sealed-rows';
import { keyringOf } from '../lib/secret-box';
import { startPipelineWorker } from './worker';

/** Production entry point: the worker alone. */
runMain(async (onShutdown) => {
  const config = loadConfig();
  installTemporalRuntime({ logLevel: config.LOG_LEVEL, metricsAddress: workerMetricsAddress(config) });
  const logger = createLogger(config.LOG_LEVEL, 'worker');
  const db = await connectDatabase(requireDatabaseUrl(config));
  onShutdown(() => db.$disconnect());
  await assertKeyringOpensDatabase(db, keyringOf(config));
  const probe = await connectTemporalOrFail(config.TEMPORAL_ADDRESS);
  await probe.close();
  // `npm run start:worker` builds the bundle first in its own process; without one the worker bundles in-process
  const workflowBundle = config.CO_WORKFLOW_BUNDLE
    ? { codePath: path.resolve(config.CO_WORKFLOW_BUNDLE) }
    : undefined;
  const heapMb = Math.round(v8.getHeapStatistics().heap_size_limit / 1048576);
  // V8's ceiling sets how lazily it collects: under its default (~4 GB here) a 10,000-way matrix peaked at 1.4 GB
  if (heapMb > config.CO_WORKER_HEAP_MB + 256) {
    logger.warn(
      { heapMb, CO_WORKER_HEAP_MB: config.CO_WORKER_HEAP_MB },
      `the worker's heap ceiling is not set: start it with node --max-old-space-size=${config.CO_WORKER_HEAP_MB} (npm run start:worker does)`,
    );
  }
  const worker = await startPipelineWorker({ config, db, logger, workflowBundle });
  logger.info({ taskQueue: config.TEMPORAL_TASK_QUEUE }, 'worker running');
  onShutdown(async () => {
    await worker.stop();
  });
  await worker.done;
});

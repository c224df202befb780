import path from 'node:path';
import { loadConfig, requireDatabaseUrl } from '../lib/config';
import { connectDatabase, connectTemporalOrFail } from '../lib/connect';
import { createLogger } from '../lib/logger';
import { runMain } from '../lib/main';
import { installTemporalRuntime, workerMetricsAddress } from '../lib/temporal-runtime';
import { assertKeyringOpensDatabase } from '../lib/sealed-rows';
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
  const worker = await startPipelineWorker({ config, db, logger, workflowBundle });
  logger.info({ taskQueue: config.TEMPORAL_TASK_QUEUE }, 'worker running');
  onShutdown(async () => {
    await worker.stop();
  });
  await worker.done;
});

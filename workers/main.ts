import { loadConfig, requireDatabaseUrl } from '../lib/config';
import { connectDatabase, connectTemporalOrFail } from '../lib/connect';
import { createLogger } from '../lib/logger';
import { runMain } from '../lib/main';
import { installTemporalLogger } from '../lib/temporal-logging';
import { startPipelineWorker } from './worker';

/** Production entry point: the worker alone. */
runMain(async (onShutdown) => {
  const config = loadConfig();
  installTemporalLogger(config.LOG_LEVEL);
  const logger = createLogger(config.LOG_LEVEL, 'worker');
  const db = await connectDatabase(requireDatabaseUrl(config));
  const probe = await connectTemporalOrFail(config.TEMPORAL_ADDRESS);
  await probe.close();
  const worker = await startPipelineWorker({ config, db, logger });
  logger.info({ taskQueue: config.TEMPORAL_TASK_QUEUE }, 'worker running');
  onShutdown(async () => {
    await worker.stop();
    await db.$disconnect();
  });
  await worker.done;
});

import { loadConfig, requireDatabaseUrl } from '../lib/config';
import { connectDatabase, connectTemporalOrFail } from '../lib/connect';
import { createLogger } from '../lib/logger';
import { runMain } from '../lib/main';
import { assertKeyringOpensDatabase } from '../services/scaler/sealed-rows';
import { keyringOf } from '../lib/secret-box';
import { startApiServer } from './server';

/** Production entry point: the API alone (migrations are applied with `npm run migrate`). */
runMain(async (onShutdown) => {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL, 'api');
  const db = await connectDatabase(requireDatabaseUrl(config));
  onShutdown(() => db.$disconnect());
  await assertKeyringOpensDatabase(db, keyringOf(config));
  const temporal = await connectTemporalOrFail(config.TEMPORAL_ADDRESS);
  const api = await startApiServer({
    config,
    db,
    temporal,
    logger,
  });
  if (api.generatedAdminToken) {
    console.log(`admin token (shown once, store it now): ${api.generatedAdminToken}`);
  }
  logger.info({ url: api.url }, 'API listening');
  onShutdown(async () => {
    await api.close();
    await temporal.close();
  });
});

import fs from 'node:fs';
import path from 'node:path';
import { loadConfig, type Config } from '../lib/config';
import { connectDatabase, connectTemporalOrFail, StartupError } from '../lib/connect';
import { createLogger } from '../lib/logger';
import { runMain } from '../lib/main';
import { installTemporalRuntime, workerMetricsAddress } from '../lib/temporal-runtime';
import { ensureSearchAttributes } from '../lib/temporal';
import { startApiServer } from '../api/server';
import { hashToken, newToken } from '../api/crew/tokens';
import { startPipelineWorker } from '../workers/worker';
import { startEmbeddedMariaDb } from './embedded-mariadb';
import { applyMigrations } from './migrate';
import { startTemporalDevServer } from './temporal-dev-server';
import { uiIsStale, buildUi } from './ui-build';

const say = (msg: string) => console.log(`containerops: ${msg}`);

/** The dev stack keeps its admin token in the data dir so every `npm start` can print it. */
function devAdminToken(config: Config): string {
  if (config.CO_BOOTSTRAP_ADMIN_TOKEN) return config.CO_BOOTSTRAP_ADMIN_TOKEN;
  const file = path.join(config.dataDir, 'admin-token');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  const { token } = newToken();
  fs.writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return token;
}

/** `npm start`: Temporal dev server, database, migrations, API and worker in one process. */
runMain(async (onShutdown) => {
  const config = loadConfig();
  installTemporalRuntime({ logLevel: config.LOG_LEVEL, metricsAddress: workerMetricsAddress(config) });
  fs.mkdirSync(config.dataDir, { recursive: true });
  const logger = createLogger(config.LOG_LEVEL);

  let databaseUrl = config.DATABASE_URL;
  if (!databaseUrl) {
    const mariadb = await startEmbeddedMariaDb(config.dataDir, say);
    if (!mariadb) {
      throw new StartupError(
        'DATABASE_URL is not set and no MariaDB/MySQL server is installed: install mariadb-server, or set DATABASE_URL=mysql://user:pass@host:3306/containerops',
      );
    }
    onShutdown(mariadb.stop);
    databaseUrl = mariadb.url;
  }
  await applyMigrations(databaseUrl).catch((err) => {
    throw new StartupError(`migrations: ${(err as Error).message.split('\n')[0]}`);
  });
  const db = await connectDatabase(databaseUrl);
  onShutdown(() => db.$disconnect());

  let temporalAddress = config.TEMPORAL_ADDRESS;
  let temporalUi = config.TEMPORAL_UI_URL;
  if (!process.env.TEMPORAL_ADDRESS) {
    say('starting the Temporal dev server');
    const uiPort = Number(new URL(config.TEMPORAL_UI_URL).port || 8233);
    const server = await startTemporalDevServer({
      dbFilename: path.join(config.dataDir, 'temporal.sqlite'),
      port: Number(config.TEMPORAL_ADDRESS.split(':').pop()),
      uiPort,
      namespace: config.TEMPORAL_NAMESPACE,
      log: say,
    });
    onShutdown(server.stop);
    temporalAddress = server.address;
    temporalUi = `http://localhost:${uiPort}`;
  }
  const runtimeConfig: Config = {
    ...config,
    DATABASE_URL: databaseUrl,
    TEMPORAL_ADDRESS: temporalAddress,
    TEMPORAL_UI_URL: temporalUi,
    CO_BOOTSTRAP_ADMIN_TOKEN: devAdminToken(config),
  };
  const temporal = await connectTemporalOrFail(temporalAddress);
  onShutdown(() => temporal.close());
  await ensureSearchAttributes(temporal, config.TEMPORAL_NAMESPACE).catch((err) =>
    logger.warn({ err }, 'could not register search attributes'),
  );

  if (uiIsStale()) {
    say('building the web UI (ui/ changed or was never built)');
    await buildUi();
  }
  const worker = await startPipelineWorker({ config: runtimeConfig, db, logger });
  onShutdown(worker.stop);
  const api = await startApiServer({
    config: runtimeConfig,
    db,
    temporal,
    logger,
  });
  onShutdown(api.close);

  say(`Web UI       ${api.url}/`);
  say(`API          ${api.url}   (try: curl ${api.url}/readyz)`);
  say(`Temporal UI  ${temporalUi}`);
  // a database that had users before this data dir existed has its own admin token: don't print one that fails
  const adminToken = runtimeConfig.CO_BOOTSTRAP_ADMIN_TOKEN!;
  const known = await db.apiToken.count({ where: { hash: hashToken(adminToken), revokedAt: null } });
  say(`admin token  ${known ? adminToken : '(set when this database was first started; not shown again)'}`);
  say('Ctrl-C stops everything');
});

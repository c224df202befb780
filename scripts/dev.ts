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
import { assertKeyringOpensDatabase } from '../services/scaler/sealed-rows';
import { generateKey, keyringOf } from '../lib/secret-box';
import { register } from 'prom-client';
import { startPipelineWorker } from '../workers/worker';
import { startEmbeddedMariaDb } from './embedded-mariadb';
import { applyMigrations } from './migrate';
import { startDevTemporal } from './temporal-dev-process';
import { uiIsStale, buildUi } from './ui-build';
import { chooseDevRuntime, prepareContainerImages } from './images/dev-runtime';

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

/** The data dir must be a writable directory; anything else is one line, before anything starts. */
function useDataDir(dir: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.accessSync(dir, fs.constants.W_OK);
  } catch (err) {
    const { code } = err as NodeJS.ErrnoException;
    throw new StartupError(`cannot use the data dir ${dir} (CO_DATA_DIR): ${code ?? (err as Error).message}`);
  }
}

/** The dev stack seals secrets with a key it generates once into the data dir (mode 0600). */
function devSecretsKey(config: Config): string {
  if (config.CO_SECRETS_KEY) return config.CO_SECRETS_KEY;
  const file = path.join(config.dataDir, 'secrets-key');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  const key = generateKey();
  fs.writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}

/** `npm start`: Temporal dev server, database, migrations, API and worker in one process. */
runMain(async (onShutdown) => {
  const config = loadConfig();
  installTemporalRuntime({ logLevel: config.LOG_LEVEL, metricsAddress: workerMetricsAddress(config) });
  useDataDir(config.dataDir);
  const logger = createLogger(config.LOG_LEVEL);

  let databaseUrl = config.DATABASE_URL;
  if (!databaseUrl) {
    const mariadb = await startEmbeddedMariaDb(config.dataDir, say, config.CO_DEV_MARIADB_PORT);
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
    const server = await startDevTemporal({
      dataDir: config.dataDir,
      port: config.CO_DEV_TEMPORAL_PORT,
      uiPort: config.CO_DEV_TEMPORAL_UI_PORT,
      namespace: config.TEMPORAL_NAMESPACE,
      log: say,
    });
    onShutdown(server.stop);
    temporalAddress = server.address;
    temporalUi = server.uiUrl;
  }
  const runtimeConfig: Config = {
    ...config,
    CO_RUNTIME: await chooseDevRuntime(config, say),
    DATABASE_URL: databaseUrl,
    TEMPORAL_ADDRESS: temporalAddress,
    TEMPORAL_UI_URL: temporalUi,
    CO_BOOTSTRAP_ADMIN_TOKEN: devAdminToken(config),
    CO_SECRETS_KEY: devSecretsKey(config),
    // local services (a registry or cluster on this machine) are the point of a dev stack
    CO_SERVICES_ALLOW_PRIVATE: process.env.CO_SERVICES_ALLOW_PRIVATE
      ? config.CO_SERVICES_ALLOW_PRIVATE
      : true,
  };
  await assertKeyringOpensDatabase(db, keyringOf(runtimeConfig));
  const temporal = await connectTemporalOrFail(temporalAddress);
  onShutdown(() => temporal.close());
  await ensureSearchAttributes(temporal, config.TEMPORAL_NAMESPACE).catch((err) =>
    logger.warn({ err }, 'could not register search attributes'),
  );

  if (uiIsStale()) {
    say('building the web UI (ui/ changed or was never built)');
    await buildUi();
  }
  // the API first: a port in use stops the start before the worker takes any step
  const api = await startApiServer({
    config: runtimeConfig,
    db,
    temporal,
    logger,
  });
  const workflowBundle = config.CO_WORKFLOW_BUNDLE
    ? { codePath: path.resolve(config.CO_WORKFLOW_BUNDLE) }
    : undefined;
  let workerConfig = runtimeConfig;
  if (runtimeConfig.CO_RUNTIME === 'container') {
    const token = runtimeConfig.CO_BOOTSTRAP_ADMIN_TOKEN!;
    const images = await prepareContainerImages(runtimeConfig, db, api.url, token, say);
    workerConfig = { ...runtimeConfig, ...(images ?? { CO_RUNTIME: 'local' }) };
  }
  // one process, one /metrics: the worker's step series join the API's registry
  const worker = await startPipelineWorker({
    config: workerConfig,
    db,
    logger,
    workflowBundle,
    metricsRegistry: register,
  });
  // clean-ups run in reverse: the API stops taking requests, then running steps get their grace
  onShutdown(worker.stop);
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

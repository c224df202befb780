import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../lib/config';
import { generateKey } from '../lib/secret-box';
import { createDb, type Db } from '../lib/db';
import { dropDatabase } from '../lib/mysql';
import { createLogger } from '../lib/logger';
import { connectTemporal } from '../lib/temporal';
import { startApiServer, type ApiServer } from '../api/server';
import { startPipelineWorker, type PipelineWorker } from '../workers/worker';
import { applyMigrations } from '../scripts/migrate';
import { startTemporalDevServer, type DevServer } from '../scripts/temporal-dev-server';

export const BENCH_TOKEN = `co_bench_${crypto.randomBytes(16).toString('hex')}`;

export interface BenchStack {
  config: Config;
  db: Db;
  api: ApiServer;
  worker: PipelineWorker | undefined;
  request(method: string, p: string, body?: unknown): Promise<Response>;
  stop(): Promise<void>;
}

/** The real platform for a benchmark: its own Temporal dev server (unless TEMPORAL_ADDRESS) and a fresh database. */
export async function startBenchStack(opts: { worker?: boolean } = {}): Promise<BenchStack> {
  const server = process.env.BENCH_DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/containerops_bench';
  const url = new URL(server);
  url.pathname = `/co_bench_${crypto.randomBytes(4).toString('hex')}`;
  await applyMigrations(url.toString());
  let temporal: DevServer | undefined;
  if (!process.env.TEMPORAL_ADDRESS) temporal = await startTemporalDevServer({});
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'co-bench-'));
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: url.toString(),
    TEMPORAL_ADDRESS: temporal?.address ?? process.env.TEMPORAL_ADDRESS,
    TEMPORAL_TASK_QUEUE: `bench-${crypto.randomBytes(3).toString('hex')}`,
    CO_BOOTSTRAP_ADMIN_TOKEN: BENCH_TOKEN,
    CO_DATA_DIR: dataDir,
    PORT: '0',
    LOG_LEVEL: 'silent',
    CO_RATE_LIMIT_PER_MINUTE: '1000000',
    CO_SECRETS_KEY: process.env.CO_SECRETS_KEY ?? generateKey(),
  });
  const logger = createLogger('silent');
  const db = createDb(config.DATABASE_URL!);
  const connection = await connectTemporal(config.TEMPORAL_ADDRESS);
  const api = await startApiServer({
    config,
    db,
    temporal: connection,
    logger,
  });
  // steps reach dockyard (artifacts, caches) over HTTP, at the API just started on a random port
  const workerConfig = { ...config, CO_API_URL: config.CO_API_URL ?? api.url };
  const worker =
    opts.worker === false ? undefined : await startPipelineWorker({ config: workerConfig, db, logger });
  return {
    config,
    db,
    api,
    worker,
    request(method, p, body) {
      const headers: Record<string, string> = { authorization: `Bearer ${BENCH_TOKEN}` };
      if (typeof body === 'string') headers['content-type'] = 'application/yaml';
      else if (body !== undefined) headers['content-type'] = 'application/json';
      return fetch(`${api.url}${p}`, {
        method,
        headers,
        body: typeof body === 'string' ? body : body === undefined ? undefined : JSON.stringify(body),
      });
    },
    async stop() {
      await worker?.stop();
      await api.close();
      await connection.close();
      await db.$disconnect();
      await temporal?.stop();
      await dropDatabase(url.toString());
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

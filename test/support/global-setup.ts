import crypto from 'node:crypto';
import { generateKey } from '../../lib/secret-box';
import { applyMigrations } from '../../scripts/migrate';
import { startTemporalDevServer, type DevServer } from '../../scripts/temporal-dev-server';

declare global {
  var __coTemporal: DevServer | undefined;
  var __coTestDatabase: string | undefined;
}

/**
 * One real Temporal dev server and one fresh MariaDB database per test run (dropped at the end).
 * TEMPORAL_ADDRESS (an existing server) and TEST_DATABASE_URL (server to create the database on) override.
 */
export default async function globalSetup(): Promise<void> {
  const server = process.env.TEST_DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/containerops_test';
  const url = new URL(server);
  url.pathname = `/co_test_${crypto.randomBytes(4).toString('hex')}`;
  process.env.DATABASE_URL = url.toString();
  globalThis.__coTestDatabase = url.toString();
  await applyMigrations(url.toString());

  if (!process.env.TEMPORAL_ADDRESS) {
    globalThis.__coTemporal = await startTemporalDevServer({ log: (m) => console.error(m) });
    process.env.TEMPORAL_ADDRESS = globalThis.__coTemporal.address;
  }
  // one key for the whole run: test files share the database, and workers they spawn check its rows
  process.env.CO_TEST_SECRETS_KEY = generateKey();
  process.env.CO_TEST_TASK_QUEUE_PREFIX = `t${crypto.randomBytes(3).toString('hex')}`;
}

import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../scripts/free-port';
import { startTethered, type TetheredProcess } from '../scripts/tethered-process';
import type { CliIo } from './main';

/** How long the stack may take to be ready: a first start builds the web UI. */
const READY_TIMEOUT_MS = 10 * 60_000;

export interface LocalStack {
  base: string;
  token: string;
  stop(): Promise<void>;
}

/**
 * No platform answers at the default address and none was named: start the one `npm start` runs
 * (Temporal dev server, database, API, worker) for this command, on free ports, with its data in
 * CO_DATA_DIR or ~/.containerops/exec, and stop it when the command ends. A newcomer needs one
 * command; a running platform (`npm start`, CO_API_URL) is used as it is and starts nothing.
 */
export async function startLocalStack(io: CliIo, env: NodeJS.ProcessEnv): Promise<LocalStack> {
  const dataDir = path.resolve(env.CO_DATA_DIR ?? path.join(os.homedir(), '.containerops', 'exec'));
  const port = await freePort(0);
  // the stack inherits this process's environment through its tether: free ports, its own data dir
  Object.assign(process.env, {
    PORT: String(port),
    CO_DATA_DIR: dataDir,
    CO_DEV_TEMPORAL_PORT: '0',
    CO_DEV_TEMPORAL_UI_PORT: '0',
    CO_DEV_MARIADB_PORT: '0',
  });
  const logFile = path.join(dataDir, 'exec-stack.log');
  io.err(`containerops: no platform is running; starting one for this run (log: ${logFile})`);
  const root = path.resolve(__dirname, '..');
  const child: TetheredProcess = await startTethered({
    program: path.join(root, 'node_modules', '.bin', 'tsx'),
    args: [path.join(root, 'scripts', 'dev.ts')],
    logFile,
    stopGraceMs: 30_000,
  }).catch((err: Error) => {
    throw new Error(`could not start the platform: ${err.message}`);
  });
  const base = `http://127.0.0.1:${port}`;
  // the readiness poll ends with the platform: left running, it held the command for its 10 minutes
  const polling = new AbortController();
  try {
    await Promise.race([waitReady(base, polling.signal), child.exited]);
  } catch (err) {
    await child.stop();
    throw err;
  } finally {
    polling.abort();
  }
  const tokenFile = path.join(dataDir, 'admin-token');
  const token = existsSync(tokenFile) ? readFileSync(tokenFile, 'utf8').trim() : '';
  return { base, token, stop: () => child.stop() };
}

async function waitReady(base: string, signal: AbortSignal): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline && !signal.aborted) {
    const ok = await fetch(`${base}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`the platform was not ready at ${base} after ${READY_TIMEOUT_MS / 60_000} minutes`);
}

import fs from 'node:fs';
import path from 'node:path';
import type { Connection } from '@temporalio/client';
import { StartupError } from '../lib/connect';
import { allSearchAttributes } from '../contract/search-attributes';
import { connectTemporal } from '../lib/temporal';
import { ensureTemporalCli } from './temporal-cli';
import { devServerArgs, startTemporalDevServer } from './temporal-dev-server';
import { freePort } from './free-port';
import { lastLogLine, startTethered, stopStale } from './tethered-process';
import { sleep } from '../lib/sleep';

export interface DevTemporal {
  address: string;
  uiUrl: string;
  stop(): Promise<void>;
}

async function waitForFrontend(
  address: string,
  exited: Promise<never>,
  logFile: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let failure: Error | undefined;
  exited.catch((err: Error) => (failure = err));
  for (;;) {
    if (failure) throw new StartupError(failure.message);
    let connection: Connection | undefined;
    try {
      connection = await connectTemporal(address, 1000);
      await connection.workflowService.getSystemInfo({});
      return;
    } catch {
      if (Date.now() > deadline)
        throw new StartupError(
          `the Temporal dev server did not answer on ${address} within ${timeoutMs} ms: ${lastLogLine(logFile)}`,
        );
      await sleep(250);
    } finally {
      await connection?.close().catch(() => undefined);
    }
  }
}

/**
 * The dev stack's Temporal server: `temporal server start-dev` on a tether (see scripts/tether.js),
 * so a Ctrl-C leaves it up until the worker has finished its running steps, and nothing of it
 * outlives `npm start`. Without the CLI it falls back to the SDK's downloaded server.
 */
export async function startDevTemporal(opts: {
  dataDir: string;
  port: number;
  uiPort: number;
  namespace: string;
  log: (msg: string) => void;
}): Promise<DevTemporal> {
  const cli = ensureTemporalCli(opts.log);
  const dbFilename = path.join(opts.dataDir, 'temporal.sqlite');
  if (!cli) {
    const uiPort = opts.uiPort || (await freePort(0));
    const server = await startTemporalDevServer({
      ...opts,
      port: opts.port || undefined,
      uiPort,
      dbFilename,
    });
    return { address: server.address, uiUrl: `http://localhost:${uiPort}`, stop: server.stop };
  }
  const pidFile = path.join(opts.dataDir, 'temporal.pid');
  const port = opts.port || (await freePort(0));
  const uiPort = opts.uiPort || (await freePort(0));
  const stale = await stopStale(pidFile, dbFilename, 30_000);
  if (stale) opts.log(`stopped a Temporal dev server (pid ${stale}) an earlier start left running`);
  const address = `127.0.0.1:${port}`;
  const logFile = path.join(opts.dataDir, 'temporal.log');
  const server = await startTethered({
    program: cli,
    args: [
      'server',
      'start-dev',
      '--ip',
      '127.0.0.1',
      '--port',
      String(port),
      '--ui-port',
      String(uiPort),
      '--db-filename',
      dbFilename,
      '--namespace',
      opts.namespace,
      ...allSearchAttributes.flatMap((key) => ['--search-attribute', `${key.name}=Keyword`]),
      ...devServerArgs(true),
    ],
    logFile,
    stopGraceMs: 10_000,
  });
  fs.writeFileSync(pidFile, `${server.pid}\n`);
  try {
    await waitForFrontend(address, server.exited, logFile, 60_000);
  } catch (err) {
    await server.stop();
    throw err;
  }
  return { address, uiUrl: `http://localhost:${uiPort}`, stop: () => server.stop() };
}

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { StartupError } from '../lib/connect';
import { freePort } from './free-port';
import { lastLogLine, startTethered, stopStale, type TetheredProcess } from './tethered-process';
import { sleep } from '../lib/sleep';

const SEARCH = ['/usr/sbin', '/usr/local/sbin', '/usr/bin', '/usr/local/bin', '/usr/local/mysql/bin'];

function find(names: string[]): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), ...SEARCH];
  for (const name of names)
    for (const dir of dirs) {
      const file = path.join(dir, name);
      if (dir && fs.existsSync(file)) return file;
    }
  return undefined;
}

async function waitForPort(port: number, server: TetheredProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited: Error | undefined;
  server.exited.catch((err: Error) => (exited = err));
  for (;;) {
    if (exited) throw new StartupError(exited.message);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.end();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline)
      throw new StartupError(`mariadbd did not listen on port ${port} within ${timeoutMs} ms`);
    await sleep(200);
  }
}

export interface EmbeddedMariaDb {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** A first start: the system tables of a new data directory (removed again should that fail). */
function initialiseDataDir(
  installer: string,
  datadir: string,
  user: string[],
  log: (m: string) => void,
): void {
  fs.mkdirSync(datadir, { recursive: true });
  log(`initialising a private MariaDB in ${datadir}`);
  const init = spawnSync(
    installer,
    [
      '--no-defaults',
      `--datadir=${datadir}`,
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
      ...user,
    ],
    { encoding: 'utf8' },
  );
  if (init.status !== 0) {
    fs.rmSync(datadir, { recursive: true, force: true });
    const reason = (init.stderr || init.stdout).trim().split('\n').pop();
    throw new StartupError(`${path.basename(installer)} failed: ${reason}`);
  }
}

/**
 * Starts a private MariaDB (or MySQL) server whose files live in `<dataDir>/mysql`, for the
 * all-in-one dev stack. Returns undefined when no server binary is installed.
 */
export async function startEmbeddedMariaDb(
  dataDir: string,
  log: (m: string) => void,
  preferredPort = 3307,
): Promise<EmbeddedMariaDb | undefined> {
  const mariadbd = find(['mariadbd', 'mysqld']);
  const installer = find(['mariadb-install-db', 'mysql_install_db']);
  if (!mariadbd || !installer) return undefined;
  const dir = path.resolve(dataDir, 'mysql');
  const datadir = path.join(dir, 'data');
  const user = process.getuid?.() === 0 ? ['--user=root'] : [];
  if (!fs.existsSync(path.join(datadir, 'mysql'))) initialiseDataDir(installer, datadir, user, log);
  const pidFile = path.join(dir, 'mysqld.pid');
  // kill -9 of an older `npm start` (or of its tether) can leave its server on these files
  const stale = await stopStale(pidFile, `--datadir=${datadir}`, 30_000);
  if (stale) log(`stopped a MariaDB (pid ${stale}) an earlier start left running on ${datadir}`);
  const port = await freePort(preferredPort);
  const server = await startTethered({
    program: mariadbd,
    args: [
      '--no-defaults',
      `--datadir=${datadir}`,
      `--socket=${path.join(dir, 'mysqld.sock')}`,
      `--pid-file=${pidFile}`,
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      `--log-error=${path.join(dir, 'error.log')}`,
      ...user,
    ],
    logFile: path.join(dir, 'console.log'),
    stopGraceMs: 30_000,
  });
  try {
    await waitForPort(port, server, 30_000);
  } catch (err) {
    await server.stop();
    const reason = lastLogLine(path.join(dir, 'error.log'));
    throw new StartupError(`${(err as Error).message.split(':')[0]}: ${reason}`);
  }
  return {
    url: `mysql://root@127.0.0.1:${port}/containerops`,
    pid: server.pid,
    stop: () => server.stop(),
  };
}

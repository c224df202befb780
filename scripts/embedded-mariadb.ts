import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { StartupError } from '../lib/connect';

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

async function freePort(preferred: number): Promise<number> {
  const tryListen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      const srv = net.createServer();
      srv.once('error', reject);
      srv.listen(port, '127.0.0.1', () => {
        const p = (srv.address() as net.AddressInfo).port;
        srv.close(() => resolve(p));
      });
    });
  return tryListen(preferred).catch(() => tryListen(0));
}

async function waitForPort(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`mariadbd exited with code ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.end();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline)
      throw new Error(`mariadbd did not listen on port ${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export interface EmbeddedMariaDb {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts a private MariaDB (or MySQL) server whose files live in `<dataDir>/mysql`, for the
 * all-in-one dev stack. Returns undefined when no server binary is installed.
 */
export async function startEmbeddedMariaDb(
  dataDir: string,
  log: (m: string) => void,
): Promise<EmbeddedMariaDb | undefined> {
  const server = find(['mariadbd', 'mysqld']);
  const installer = find(['mariadb-install-db', 'mysql_install_db']);
  if (!server || !installer) return undefined;
  const dir = path.resolve(dataDir, 'mysql');
  const datadir = path.join(dir, 'data');
  const user = process.getuid?.() === 0 ? ['--user=root'] : [];
  if (!fs.existsSync(path.join(datadir, 'mysql'))) {
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
  const port = await freePort(3307);
  const child = spawn(
    server,
    [
      '--no-defaults',
      `--datadir=${datadir}`,
      `--socket=${path.join(dir, 'mysqld.sock')}`,
      `--pid-file=${path.join(dir, 'mysqld.pid')}`,
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      `--log-error=${path.join(dir, 'error.log')}`,
      ...user,
    ],
    { stdio: 'ignore' },
  );
  await waitForPort(port, child, 30_000);
  return {
    url: `mysql://root@127.0.0.1:${port}/containerops`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/**
 * A throw-away Gitea on a free loopback port for the forge tests: sqlite in a temporary
 * directory, installed (INSTALL_LOCK), offline, no mailer, webhooks allowed to loopback (where
 * the API under test listens), an admin made with `gitea admin user create` and a token from
 * its API. `stop()` ends it and removes the directory.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const GITEA_VERSION = process.env.CO_GITEA_VERSION ?? 'v1.27.3';
/** Where scripts/gitea/build.sh leaves the binary (templates/, options/, public/ beside it). */
export const GITEA_BINARY = path.join(
  process.env.CO_GITEA_CACHE ?? path.join(os.homedir(), '.cache/containerops/gitea'),
  GITEA_VERSION,
  'src/gitea',
);

/** The binary when build.sh finished (its stamp is written last), else undefined. */
export function cachedGitea(): string | undefined {
  const stamp = path.join(path.dirname(path.dirname(GITEA_BINARY)), 'version');
  const built = fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8').trim() === GITEA_VERSION;
  return built && fs.existsSync(GITEA_BINARY) ? GITEA_BINARY : undefined;
}

export interface Gitea {
  url: string;
  admin: { name: string; password: string; token: string };
  /** fetch against Gitea's API (/api/v1...) as the admin, or as user `sudo` (Gitea's Sudo header) */
  api(method: string, p: string, body?: unknown, sudo?: string): Promise<Response>;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function appIni(dir: string, staticRoot: string, port: number): string {
  const secret = () => crypto.randomBytes(32).toString('hex');
  return `APP_NAME = containerops-test
RUN_MODE = prod
WORK_PATH = ${dir}
I_AM_BEING_UNSAFE_RUNNING_AS_ROOT = true

[server]
PROTOCOL = http
HTTP_ADDR = 127.0.0.1
HTTP_PORT = ${port}
ROOT_URL = http://127.0.0.1:${port}/
OFFLINE_MODE = true
DISABLE_SSH = true
START_SSH_SERVER = false
STATIC_ROOT_PATH = ${staticRoot}
APP_DATA_PATH = ${dir}/data
LFS_START_SERVER = false

[database]
DB_TYPE = sqlite3
PATH = ${dir}/data/gitea.db

[repository]
ROOT = ${dir}/repositories

[security]
INSTALL_LOCK = true
SECRET_KEY = ${secret()}
INTERNAL_TOKEN = ${secret()}

[oauth2]
JWT_SECRET = ${crypto.randomBytes(32).toString('base64url')}

[service]
DISABLE_REGISTRATION = true

[mailer]
ENABLED = false

[webhook]
ALLOWED_HOST_LIST = loopback
DELIVER_TIMEOUT = 20

[log]
MODE = file
LEVEL = Warn
ROOT_PATH = ${dir}/log

[indexer]
ISSUE_INDEXER_TYPE = db
REPO_INDEXER_ENABLED = false

[cron]
ENABLED = false
`;
}

async function waitUntilUp(url: string, child: ChildProcess, logFile: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) {
      throw new Error(
        `gitea exited with ${child.exitCode}: ${fs.readFileSync(logFile, 'utf8').slice(-2000)}`,
      );
    }
    const ok = await fetch(`${url}/api/v1/version`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`gitea did not answer at ${url} within 120 s`);
}

/** An admin user of a fresh Gitea, with an API token. */
async function createAdmin(
  binary: string,
  { config, dir, env, url }: { config: string; dir: string; env: NodeJS.ProcessEnv; url: string },
) {
  const admin = { name: 'co-admin', password: crypto.randomBytes(12).toString('hex'), token: '' };
  await run(
    binary,
    [
      'admin',
      'user',
      'create',
      '--config',
      config,
      '--work-path',
      dir,
      '--username',
      admin.name,
      '--password',
      admin.password,
      '--email',
      'co-admin@example.test',
      '--admin',
      '--must-change-password=false',
    ],
    { env },
  );
  const basic = `Basic ${Buffer.from(`${admin.name}:${admin.password}`).toString('base64')}`;
  const res = await fetch(`${url}/api/v1/users/${admin.name}/tokens`, {
    method: 'POST',
    headers: { authorization: basic, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'containerops', scopes: ['all'] }),
  });
  if (!res.ok) throw new Error(`gitea did not make a token: ${res.status} ${await res.text()}`);
  admin.token = ((await res.json()) as { sha1: string }).sha1;
  return admin;
}

export async function startGitea(binary: string): Promise<Gitea> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'co-gitea-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const config = path.join(dir, 'app.ini');
  fs.writeFileSync(config, appIni(dir, path.dirname(binary), port));
  const env = { ...process.env, GITEA_WORK_DIR: dir, HOME: dir, USER: 'root' };
  const logFile = path.join(dir, 'stdout.log');
  const out = fs.openSync(logFile, 'a');
  const child = spawn(binary, ['web', '--config', config, '--work-path', dir], {
    env,
    stdio: ['ignore', out, out],
    detached: true,
  });
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      process.kill(-child.pid!, 'SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
    }
    fs.closeSync(out);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitUntilUp(url, child, logFile);
    const admin = await createAdmin(binary, { config, dir, env, url });
    const api = (method: string, p: string, body?: unknown, sudo?: string) =>
      fetch(`${url}/api/v1${p}`, {
        method,
        headers: {
          authorization: `token ${admin.token}`,
          'content-type': 'application/json',
          ...(sudo ? { sudo } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    return { url, admin, api, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

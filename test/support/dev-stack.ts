import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { eventually } from './runs';

const ROOT = path.resolve(__dirname, '../..');

/** `npm start` (scripts/dev.ts) as a user runs it: its own process group, its output collected. */
export interface DevStack {
  child: ChildProcess;
  url: string;
  output(): string;
  exited: Promise<number | null>;
}

/** The environment of a dev stack on `dataDir` with every port random (others share this machine). */
export function devEnv(dataDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // the test run's own servers must not be used: the dev stack starts its own
  delete env.DATABASE_URL;
  delete env.TEMPORAL_ADDRESS;
  return {
    ...env,
    CO_DATA_DIR: dataDir,
    PORT: '0',
    CO_DEV_TEMPORAL_PORT: '0',
    CO_DEV_TEMPORAL_UI_PORT: '0',
    CO_DEV_MARIADB_PORT: '0',
    LOG_LEVEL: 'warn',
    // these tests are about the stack's own processes; with podman here npm start would choose the
    // container runtime and first push ~800 MB of platform images into the fresh dockyard
    // (test/e2e/containers covers that path), so steps run as host processes unless a test says
    CO_RUNTIME: 'local',
    ...extra,
  };
}

export function spawnDev(env: NodeJS.ProcessEnv): {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
} {
  const child = spawn(path.join(ROOT, 'node_modules/.bin/tsx'), ['scripts/dev.ts'], {
    cwd: ROOT,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout!.on('data', (d) => (text += d));
  child.stderr!.on('data', (d) => (text += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => text, exited };
}

export async function startDev(env: NodeJS.ProcessEnv): Promise<DevStack> {
  const dev = spawnDev(env);
  let done = false;
  void dev.exited.then(() => (done = true));
  const url = await eventually(
    () => {
      if (done) throw new Error(`npm start exited:\n${dev.output()}`);
      return /containerops: API\s+(http:\/\/\S+)/.exec(dev.output())?.[1];
    },
    'npm start to print its API URL',
    180_000,
  );
  return { ...dev, url };
}

/** pids of `root` and all its descendants (tethers, servers, the launcher, step processes). */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), pid]);
    } catch {
      // exited meanwhile
    }
  }
  const all: number[] = [];
  const visit = (pid: number) => {
    all.push(pid);
    for (const c of children.get(pid) ?? []) visit(c);
  };
  visit(root);
  return all;
}

/** pids of live processes whose command line mentions `marker` (zombies excluded). */
export function processesWith(marker: string): number[] {
  const found: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      if (fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker)) found.push(pid);
    } catch {
      // exited meanwhile
    }
  }
  return found;
}

/** `pid: command line` of each process still there, for a failure message. */
export function commandLines(pids: number[]): string[] {
  return pids.flatMap((pid) => {
    try {
      return [`${pid}: ${fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim()}`];
    } catch {
      return [];
    }
  });
}

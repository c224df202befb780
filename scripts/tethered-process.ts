import { fork } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { sleep } from '../lib/sleep';

export interface TetheredProcess {
  /** pid of the server itself (not of its tether) */
  pid: number;
  /** rejects with the end of the log when the server exits before `stop()` */
  exited: Promise<never>;
  /** asks the server to stop (SIGTERM, then SIGKILL after the grace) and waits until it is gone */
  stop(): Promise<void>;
}

/** Last non-empty line of a log file, for one-line start-up errors. */
export function lastLogLine(file: string): string {
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  return (
    text
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .pop() ?? '(no output)'
  );
}

/**
 * Starts `program` through scripts/tether.js: outside the terminal's process group, its output
 * in `logFile`, stopped with the parent however the parent ends.
 */
export async function startTethered(opts: {
  program: string;
  args: string[];
  logFile: string;
  stopGraceMs: number;
}): Promise<TetheredProcess> {
  fs.mkdirSync(path.dirname(opts.logFile), { recursive: true });
  const tether = fork(
    path.join(__dirname, 'tether.js'),
    [String(opts.stopGraceMs), opts.logFile, opts.program, ...opts.args],
    { execArgv: [], detached: true, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] },
  );
  let stopping = false;
  const name = path.basename(opts.program);
  const gone = new Promise<void>((resolve) => tether.once('exit', () => resolve()));
  const exited = new Promise<never>((_, reject) => {
    tether.on('message', (msg: { type: string; code?: number | null; error?: string }) => {
      if (msg.type === 'exit' && !stopping) {
        const why = msg.error ?? `exited with code ${msg.code}`;
        reject(new Error(`${name} ${why}: ${lastLogLine(opts.logFile)} (see ${opts.logFile})`));
      }
    });
    tether.once('exit', () => {
      if (!stopping) reject(new Error(`${name} stopped unexpectedly (see ${opts.logFile})`));
    });
  });
  exited.catch(() => undefined);
  const pid = await new Promise<number>((resolve, reject) => {
    tether.on('message', (msg: { type: string; pid?: number }) => {
      if (msg.type === 'spawned') resolve(msg.pid!);
    });
    exited.catch(reject);
    tether.once('exit', () => reject(new Error(`${name} could not be started`)));
  });
  // from now on the tether must not keep `npm start` alive on its own
  tether.unref();
  (tether.channel as { unref?: () => void } | undefined)?.unref?.();
  return {
    pid,
    exited,
    async stop() {
      stopping = true;
      // held again while it stops: an unref'd child alone lets Node end the caller before `gone`
      // settles, with exit status 0 whatever the caller was about to return
      tether.ref();
      if (tether.connected) tether.send({ type: 'stop' });
      await gone;
    },
  };
}

/** True when `pid` runs and its command line mentions `marker` (pids get reused). */
export function runningWith(pid: number, marker: string): boolean {
  try {
    return fs
      .readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      .split('\0')
      .some((a) => a.includes(marker));
  } catch {
    return false;
  }
}

/** Stops a server an earlier start left running (found by its pid file); true when there was one. */
export async function stopStale(
  pidFile: string,
  marker: string,
  timeoutMs: number,
): Promise<number | undefined> {
  const pid = Number(fs.existsSync(pidFile) ? fs.readFileSync(pidFile, 'utf8').trim() : NaN);
  if (!Number.isInteger(pid) || pid <= 0 || !runningWith(pid, marker)) return undefined;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (runningWith(pid, marker) && Date.now() < deadline) await sleep(100);
  if (runningWith(pid, marker)) process.kill(pid, 'SIGKILL');
  while (runningWith(pid, marker)) await sleep(50);
  return pid;
}

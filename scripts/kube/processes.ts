/**
 * The background processes of a test control plane and its node: started detached with their
 * output in DIR/logs, recorded in a pid file of DIR, stopped newest first.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { sleep } from '../../lib/sleep';

export type Launch = (name: string, program: string, args: string[]) => number;

/** Starts programs detached, logging to DIR/logs/NAME.log and recording pids in DIR/PIDFILE. */
export function launcher(dir: string, pidFile: string): Launch {
  fs.mkdirSync(path.join(dir, 'logs'), { recursive: true });
  return (name, program, args) => {
    const out = fs.openSync(path.join(dir, 'logs', `${name}.log`), 'a');
    const child = spawn(program, args, { detached: true, stdio: ['ignore', out, out] });
    fs.closeSync(out);
    child.unref();
    if (!child.pid) throw new Error(`cannot start ${name}`);
    fs.appendFileSync(path.join(dir, pidFile), `${child.pid}\n`);
    return child.pid;
  };
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Stops one process: SIGTERM, SIGKILL after `graceMs`. */
export async function stopProcess(pid: number, graceMs = 10_000): Promise<void> {
  if (alive(pid)) process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (alive(pid) && Date.now() < deadline) await sleep(100);
  if (alive(pid)) process.kill(pid, 'SIGKILL');
}

/** Stops the processes recorded in DIR/PIDFILE (newest first) and removes the file. */
export async function stopProcesses(dir: string, pidFile: string): Promise<void> {
  const file = path.join(dir, pidFile);
  if (!fs.existsSync(file)) return;
  const pids = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number).reverse();
  for (const pid of pids) await stopProcess(pid);
  fs.rmSync(file);
}

export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Polls `check` every 200 ms; past the timeout, throws with the tail of `logFile`. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
  logFile?: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await sleep(200);
  }
  const tail = logFile && fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').slice(-3000) : '';
  throw new Error(`${what} not ready after ${timeoutMs / 1000}s${tail ? `\n--- ${logFile}\n${tail}` : ''}`);
}

'use strict';
// The step launcher: a small helper process that forks step processes for the local runtime.
// Forking from the worker itself costs ~20 ms per step (fork copies the page tables of a
// process with hundreds of MB resident); from this small process it costs ~2 ms. It relays
// output chunks and exit status over IPC, and when the worker dies (the IPC channel closes)
// it kills every step's processes, so a crashed worker leaves no orphans.
// It runs in its own session (the worker forks it detached): a Ctrl-C or SIGTERM sent to the
// terminal's process group reaches the worker, which drives shutdown, and not this process.
// Plain JavaScript on purpose: it must start without a TypeScript loader.
const { spawn } = require('node:child_process');
const fs = require('node:fs');

/** @type {Map<number, { child: import('node:child_process').ChildProcess, attemptId?: string }>} */
const children = new Map();

function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** How many /proc/<pid>/environ files one sweep reads at a time (each read holds a descriptor). */
const SWEEP_READERS = 8;
/** Steps that ended since the current sweep read /proc: the next sweep serves them all at once. */
let waiting = [];
let sweeping = false;

/** True when a NUL-separated environment holds `needle` (`NAME=value\0`) as a whole variable. */
function holds(environ, needle) {
  const at = environ.indexOf(needle);
  return at === 0 || (at > 0 && environ[at - 1] === 0);
}

/**
 * Kills every process whose environment carries CO_ATTEMPT_ID=<attemptId>: what a step started
 * in another session or group (`setsid cmd &`) outlives its process group but keeps its environment.
 * Only pids from the step's own on are read (pids grow; a step's processes are younger than it),
 * so a step's end costs a few reads, not one per process of the machine. Steps that end together
 * share one pass over /proc with a few reads in flight: a pass per step, all its reads at once,
 * held thousands of descriptors under a wide matrix (EMFILE) and most of the launcher's CPU.
 */
function killAttemptProcesses(attemptId, fromPid) {
  if (!attemptId) return Promise.resolve();
  return new Promise((resolve) => {
    waiting.push({ needle: Buffer.from(`CO_ATTEMPT_ID=${attemptId}\0`), fromPid, resolve });
    if (!sweeping) void sweep();
  });
}

async function sweep() {
  sweeping = true;
  while (waiting.length > 0) {
    // a step that ends during this pass may have processes this readdir missed: it waits for the next
    const batch = waiting;
    waiting = [];
    const from = Math.min(...batch.map((b) => b.fromPid));
    const entries = await fs.promises.readdir('/proc').catch(() => []);
    const pids = entries
      .map(Number)
      .filter((pid) => Number.isInteger(pid) && pid !== process.pid && pid >= from);
    let next = 0;
    const reader = async () => {
      while (next < pids.length) {
        const pid = pids[next++];
        const environ = await fs.promises.readFile(`/proc/${pid}/environ`).catch(() => undefined);
        if (!environ || !batch.some((b) => pid >= b.fromPid && holds(environ, b.needle))) continue;
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone meanwhile
        }
      }
    };
    await Promise.all(Array.from({ length: SWEEP_READERS }, reader));
    for (const b of batch) b.resolve();
  }
  sweeping = false;
}

function send(message) {
  if (process.connected) process.send(message);
}

process.on('message', (msg) => {
  if (!msg || msg.type !== 'spawn') return;
  const { id, file, args, cwd, env } = msg;
  const attemptId = env && env.CO_ATTEMPT_ID;
  let child;
  try {
    child = spawn(file, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    send({ type: 'close', id, code: null, signal: null, error: String(err && err.message) });
    return;
  }
  let failed = false;
  child.once('error', (err) => {
    failed = true;
    send({ type: 'close', id, code: null, signal: null, error: err.message });
  });
  if (child.pid === undefined) return;
  const pid = child.pid;
  children.set(id, { child, attemptId });
  send({ type: 'spawned', id, pid });
  for (const stream of ['stdout', 'stderr']) {
    child[stream].setEncoding('utf8');
    child[stream].on('data', (chunk) => send({ type: 'data', id, stream, chunk }));
  }
  // the shell exited but a background child holds its output open: the step is over
  child.once('exit', () =>
    setTimeout(() => {
      killGroup(pid, 'SIGKILL');
      void killAttemptProcesses(attemptId, pid);
    }, 200).unref(),
  );
  child.once('close', (code, signal) => {
    children.delete(id);
    killGroup(pid, 'SIGKILL');
    if (!failed) send({ type: 'close', id, code, signal });
    // after the answer: the step's end need not wait for the scan of /proc
    void killAttemptProcesses(attemptId, pid);
  });
});

process.on('disconnect', () => {
  const sweeps = [];
  for (const { child, attemptId } of children.values()) {
    if (child.pid) killGroup(child.pid, 'SIGKILL');
    sweeps.push(killAttemptProcesses(attemptId, child.pid ?? 0));
  }
  void Promise.all(sweeps).finally(() => process.exit(0));
});

'use strict';
// The step launcher: a small helper process that forks step processes for the local runtime.
// Forking from the worker itself costs ~20 ms per step (fork copies the page tables of a
// process with hundreds of MB resident); from this small process it costs ~2 ms. It relays
// output chunks and exit status over IPC, and when the worker dies (the IPC channel closes)
// it kills every step's process group, so a crashed worker leaves no orphans.
// Plain JavaScript on purpose: it must start without a TypeScript loader.
const { spawn } = require('node:child_process');

/** @type {Map<number, import('node:child_process').ChildProcess>} */
const children = new Map();

function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

function send(message) {
  if (process.connected) process.send(message);
}

process.on('message', (msg) => {
  if (!msg || msg.type !== 'spawn') return;
  const { id, file, args, cwd, env } = msg;
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
  children.set(id, child);
  send({ type: 'spawned', id, pid });
  for (const stream of ['stdout', 'stderr']) {
    child[stream].setEncoding('utf8');
    child[stream].on('data', (chunk) => send({ type: 'data', id, stream, chunk }));
  }
  // the shell exited but a background child holds its output open: the step is over
  child.once('exit', () => setTimeout(() => killGroup(pid, 'SIGKILL'), 200).unref());
  child.once('close', (code, signal) => {
    children.delete(id);
    killGroup(pid, 'SIGKILL');
    if (!failed) send({ type: 'close', id, code, signal });
  });
});

process.on('disconnect', () => {
  for (const child of children.values()) if (child.pid) killGroup(child.pid, 'SIGKILL');
  process.exit(0);
});

'use strict';
// Runs one server of the dev stack (mariadbd, the Temporal dev server) on a tether to `npm start`.
// It lives in its own session, so a Ctrl-C or SIGTERM to the terminal's process group reaches
// only `npm start`, which stops the worker first (running steps get their grace) and then asks
// each tether to stop its server. When `npm start` dies without asking (kill -9, a second
// Ctrl-C), the IPC channel closes and the tether stops the server itself: nothing is orphaned.
// Plain JavaScript on purpose: it starts in ~40 ms without a TypeScript loader.
// argv: <stop grace ms> <log file> <program> [args...]
const { spawn } = require('node:child_process');
const fs = require('node:fs');

const [graceArg, logFile, program, ...args] = process.argv.slice(2);
const grace = Number(graceArg);
const log = fs.openSync(logFile, 'a');
const child = spawn(program, args, { stdio: ['ignore', log, log] });
let stopping = false;

function stop() {
  if (stopping) return;
  stopping = true;
  if (child.exitCode !== null || child.signalCode !== null) process.exit(0);
  child.kill('SIGTERM');
  setTimeout(() => child.kill('SIGKILL'), grace).unref();
}

function tell(message, then) {
  if (!process.connected) return then && then();
  process.send(message, undefined, {}, () => then && then());
}

process.on('error', () => undefined); // the parent went away mid-send: 'disconnect' handles it
child.once('spawn', () => tell({ type: 'spawned', pid: child.pid }));
child.once('error', (err) => tell({ type: 'exit', code: null, error: err.message }, () => process.exit(1)));
child.once('exit', (code, signal) => tell({ type: 'exit', code, signal }, () => process.exit(0)));
process.on('message', (msg) => msg && msg.type === 'stop' && stop());
process.on('disconnect', stop);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, stop);

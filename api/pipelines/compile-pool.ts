import { fork, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { compilePipelineSource, type CompileResult } from '../../pipeline';
import { MAX_SOURCE_BYTES } from '../../pipeline/parse';
import { HttpError, invalid } from '../../lib/errors';

/** Sources up to this size compile on the request thread (a few ms); larger ones in a compiler process. */
export const OFF_THREAD_BYTES = 16 * 1024;
/** A compilation that runs longer is stopped and answered 422. */
export const COMPILE_TIMEOUT_MS = 10_000;
/** Heap of one compiler process: a hostile document runs it out of memory, not the API. */
export const COMPILER_HEAP_MB = 256;
/** Compiler processes at most: documents compile side by side instead of queueing behind one. */
const COMPILERS = Math.max(2, Math.min(4, os.availableParallelism()));

/** Documents waiting for a compiler at most; more is a 429 rather than a backlog of minutes. */
export const MAX_WAITING = 32;

export interface CompilePoolLimits {
  compilers: number;
  timeoutMs: number;
  heapMb: number;
}

type CompileArgs = Parameters<typeof compilePipelineSource>;

interface Job {
  args: CompileArgs;
  resolve(result: CompileResult): void;
  reject(err: Error): void;
}

const tooCostly = (why: string) =>
  invalid(`the pipeline could not be compiled: ${why}`, [{ path: '', line: 1, col: 1, message: why }]);

/**
 * Child processes, not worker threads: V8 aborts the whole process on some fatal errors inside a
 * worker thread (a regex compiled during a stack overflow: "RegExpCompiler Allocation failed"),
 * taking the API and the embedded Temporal worker with it. A child dies alone and is answered
 * 422. Measured here: a warm child costs ~80 MB and ~1.3 s to start, so a few stay warm.
 */
export class CompilePool {
  private readonly idle: ChildProcess[] = [];
  private readonly queue: Job[] = [];
  private started = 0;
  private nextId = 1;

  constructor(
    private readonly limits: CompilePoolLimits = {
      compilers: COMPILERS,
      timeoutMs: COMPILE_TIMEOUT_MS,
      heapMb: COMPILER_HEAP_MB,
    },
  ) {}

  run(args: CompileArgs): Promise<CompileResult> {
    if (this.queue.length >= MAX_WAITING) {
      const detail = `the compilers are busy (${MAX_WAITING} documents waiting); retry shortly`;
      return Promise.reject(new HttpError(429, 'Too Many Requests', detail));
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ args, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const child = this.idle.pop() ?? (this.started < this.limits.compilers ? this.spawn() : undefined);
      if (!child) return;
      this.execute(child, this.queue.shift()!);
    }
  }

  private spawn(): ChildProcess {
    this.started++;
    const child = fork(path.join(__dirname, 'compile-worker.js'), [], {
      execArgv: [`--max-old-space-size=${this.limits.heapMb}`],
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
      // a compiler needs no configuration: the API's secrets (database URL, keys) stay out of it
      env: { PATH: process.env.PATH ?? '', NODE_ENV: process.env.NODE_ENV ?? '' },
      serialization: 'advanced',
    });
    child.on('error', () => undefined); // reported through 'exit'
    child.once('exit', () => {
      // busy or idle, a compiler that is gone leaves room for a new one
      this.started--;
      const at = this.idle.indexOf(child);
      if (at >= 0) this.idle.splice(at, 1);
      this.dispatch();
    });
    return child;
  }

  private execute(child: ChildProcess, job: Job): void {
    const id = this.nextId++;
    let settled = false;
    const finish = (outcome: () => void, reuse: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (reuse) {
        keepAlive(child, false);
        this.idle.push(child);
      } else {
        child.kill('SIGKILL');
      }
      outcome();
      this.dispatch();
    };
    const onMessage = (msg: { id: number; result: CompileResult }) => {
      if (msg.id === id) finish(() => job.resolve(msg.result), true);
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
      finish(() => job.reject(tooCostly(exitReason(code, signal, this.limits.heapMb))), false);
    const { timeoutMs } = this.limits;
    const timer = setTimeout(
      () => finish(() => job.reject(tooCostly(`it takes longer than ${timeoutMs / 1000} s`)), false),
      timeoutMs,
    );
    child.on('message', onMessage);
    child.on('exit', onExit);
    keepAlive(child, true);
    child.send({ id, args: job.args }, (err) => {
      if (err) finish(() => job.reject(tooCostly('the compiler process is not available')), false);
    });
  }
}

/** An idle compiler must not keep the API process alive on shutdown. */
function keepAlive(child: ChildProcess, busy: boolean): void {
  const channel = child.channel as { ref(): void; unref(): void } | undefined;
  if (busy) {
    child.ref();
    channel?.ref();
  } else {
    child.unref();
    channel?.unref();
  }
}

/** V8 aborts (SIGABRT, exit 134) when the heap limit is reached. */
function exitReason(code: number | null, signal: NodeJS.Signals | null, heapMb: number): string {
  if (signal === 'SIGABRT' || code === 134) return `it needs more than ${heapMb} MB`;
  return `the compiler stopped (${signal ?? `exit ${code}`})`;
}

let pool: CompilePool | undefined;

/** compilePipelineSource, in a compiler process for large sources (same arguments, same result). */
export function compileOffThread(...args: CompileArgs): Promise<CompileResult> {
  const [source] = args;
  const bytes = typeof source === 'string' ? Buffer.byteLength(source) : 0;
  // too big is refused at once, here: no compiler needed to say so
  if (bytes <= OFF_THREAD_BYTES || bytes > MAX_SOURCE_BYTES) {
    return Promise.resolve(compilePipelineSource(...args));
  }
  pool ??= new CompilePool();
  return pool.run(args);
}

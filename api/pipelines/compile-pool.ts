import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { compilePipelineSource, type CompileResult } from '../../pipeline';
import { invalid } from '../../lib/errors';

/** Sources up to this size compile on the request thread (a few ms); larger ones in a worker. */
export const OFF_THREAD_BYTES = 16 * 1024;
/** A compilation that runs longer is stopped and answered 422. */
export const COMPILE_TIMEOUT_MS = 10_000;
const WORKERS = Math.max(1, Math.min(2, os.availableParallelism() - 1));
/** Heap of one compile worker: a hostile document runs it out of memory, not the API. */
const WORKER_HEAP_MB = 256;

type CompileArgs = Parameters<typeof compilePipelineSource>;

interface Job {
  args: CompileArgs;
  resolve(result: CompileResult): void;
  reject(err: Error): void;
}

const tooCostly = (why: string) =>
  invalid(`the pipeline could not be compiled: ${why}`, [{ path: '', line: 1, col: 1, message: why }]);

/** A few worker threads that compile pipelines, so no document blocks the API's other requests. */
class CompilePool {
  private readonly idle: Worker[] = [];
  private readonly queue: Job[] = [];
  private started = 0;
  private nextId = 1;

  run(args: CompileArgs): Promise<CompileResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ args, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const worker = this.idle.pop() ?? (this.started < WORKERS ? this.spawn() : undefined);
      if (!worker) return;
      this.execute(worker, this.queue.shift()!);
    }
  }

  private spawn(): Worker {
    this.started++;
    return new Worker(path.join(__dirname, 'compile-worker.js'), {
      resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
      stdout: false,
      stderr: false,
    });
  }

  private execute(worker: Worker, job: Job): void {
    const id = this.nextId++;
    let settled = false;
    const finish = (outcome: () => void, reuse: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
      if (reuse) {
        worker.unref();
        this.idle.push(worker);
      } else {
        this.started--;
        void worker.terminate();
      }
      outcome();
      this.dispatch();
    };
    const onMessage = (msg: { id: number; result: CompileResult }) => {
      if (msg.id === id) finish(() => job.resolve(msg.result), true);
    };
    const onError = (err: Error & { code?: string }) =>
      finish(
        () =>
          job.reject(
            err.code === 'ERR_WORKER_OUT_OF_MEMORY'
              ? tooCostly(`it needs more than ${WORKER_HEAP_MB} MB`)
              : err,
          ),
        false,
      );
    const onExit = () => finish(() => job.reject(new Error('the compile worker exited')), false);
    const timer = setTimeout(
      () => finish(() => job.reject(tooCostly(`it takes longer than ${COMPILE_TIMEOUT_MS / 1000} s`)), false),
      COMPILE_TIMEOUT_MS,
    );
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    worker.ref();
    worker.postMessage({ id, args: job.args });
  }
}

let pool: CompilePool | undefined;

/** compilePipelineSource, off the request thread for large sources (same arguments, same result). */
export function compileOffThread(...args: CompileArgs): Promise<CompileResult> {
  const [source] = args;
  if (typeof source !== 'string' || Buffer.byteLength(source) <= OFF_THREAD_BYTES) {
    return Promise.resolve(compilePipelineSource(...args));
  }
  pool ??= new CompilePool();
  return pool.run(args);
}

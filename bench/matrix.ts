/**
 * matrix: one 10,000-way matrix step of no-op combinations, run by a worker in its own
 * process; prints the wall time and the worker's peak resident memory (target < 500 MB).
 */
import fs from 'node:fs';
import { buildWorkflowBundle } from '../scripts/build-workflows';
import { spawnWorkerProcess } from '../test/support/worker-process';
import { startBenchStack } from './stack';

const emit = (figure: Record<string, unknown>) => console.log(JSON.stringify(figure));

function peakRssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024);
}

function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024);
}

export async function main(size = Number(process.env.BENCH_MATRIX_SIZE ?? 10_000)): Promise<void> {
  const bundle = await buildWorkflowBundle(); // as `npm run start:worker` does, outside the worker
  const stack = await startBenchStack({ worker: false });
  const worker = spawnWorkerProcess(stack.config, { LOG_LEVEL: 'error', CO_WORKFLOW_BUNDLE: bundle });
  let workerExit: string | undefined;
  worker.once('exit', (code, signal) => (workerExit = `the worker exited (${signal ?? code})`));
  try {
    const a = 100;
    const b = Math.ceil(size / a);
    const axis = (n: number) => `[${Array.from({ length: n }, (_, i) => `"${i}"`).join(', ')}]`;
    await stack.request('POST', '/api/v1/projects', { name: 'bench' });
    await stack.request(
      'POST',
      '/api/v1/projects/bench/pipelines',
      `apiVersion: containerops/v1\nkind: Pipeline\nname: wide\nmaxParallel: 32\nsteps:\n  - id: fan\n    matrix: { a: ${axis(a)}, b: ${axis(b)} }\n    run: "true"\n`,
    );
    const start = performance.now();
    const res = await stack.request('POST', '/api/v1/projects/bench/pipelines/wide/runs', {});
    const { id } = (await res.json()) as { id: string };
    for (;;) {
      if (workerExit) throw new Error(workerExit);
      const run = await stack.db.run.findUniqueOrThrow({ where: { id } });
      if (['succeeded', 'failed', 'cancelled', 'timed_out'].includes(run.status)) {
        if (run.status !== 'succeeded') throw new Error(`matrix run ${run.status}: ${run.error}`);
        break;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    const seconds = (performance.now() - start) / 1000;
    const steps = await stack.db.stepRun.count({ where: { runId: id, status: 'succeeded' } });
    emit({
      bench: 'matrix',
      combinations: a * b,
      succeeded: steps,
      seconds: +seconds.toFixed(1),
      stepsPerSecond: +(steps / seconds).toFixed(1),
      workerPeakRssMb: peakRssMb(worker.pid!),
      workerRssMbAtEnd: rssMb(worker.pid!),
      targetRssMb: 500,
    });
  } finally {
    if (!workerExit) {
      worker.kill('SIGTERM');
      await new Promise((r) => worker.once('exit', r));
    }
    await stack.stop();
  }
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}

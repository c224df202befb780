/**
 * scale-out: 100 concurrent runs x 10 no-op steps on one worker process, then on two worker
 * processes polling the same task queue, then on one again (the mean of both one-worker rounds
 * is the baseline, so a warming database does not flatter the second worker). Workers run as
 * `npm run start:worker` runs them: their own processes, the workflow bundle built beforehand.
 * Prints steps/s each way and the ratio; on a 2-core machine expect well under 2x.
 */
import type { ChildProcess } from 'node:child_process';
import { buildWorkflowBundle } from '../scripts/build-workflows';
import { spawnWorkerProcess } from '../test/support/worker-process';
import { startBenchStack, type BenchStack } from './stack';
import { sequentialPipeline, throughput, trigger, waitForRuns } from './run-load';

const emit = (figure: Record<string, unknown>) => console.log(JSON.stringify(figure));
/** concurrent runs per round; fewer on a machine too loaded to take 100 triggers at once */
const RUNS = Number(process.env.BENCH_SCALE_OUT_RUNS ?? 100);

async function stopWorker(worker: ChildProcess): Promise<void> {
  if (worker.exitCode !== null || worker.signalCode !== null) return;
  worker.kill('SIGTERM');
  await new Promise((r) => worker.once('exit', r));
}

/** Steps/s of each pipeline with the workers now running. */
async function round(stack: BenchStack, pipelines: string[]): Promise<number[]> {
  const rates: number[] = [];
  for (const p of pipelines) rates.push((await throughput(stack, p, RUNS)).stepsPerSecond);
  return rates;
}

export async function scaleOut(): Promise<void> {
  const bundle = await buildWorkflowBundle();
  const stack = await startBenchStack({ worker: false });
  const workers: ChildProcess[] = [];
  let stopping = false;
  const spawn = () => {
    const env = { LOG_LEVEL: 'error', CO_WORKFLOW_BUNDLE: bundle, CO_API_URL: stack.api.url };
    const worker = spawnWorkerProcess(stack.config, env);
    worker.once('exit', (code, signal) => {
      if (!stopping) console.error(`scale-out: a worker exited (${signal ?? code})`);
    });
    workers.push(worker);
  };
  const pipelines = ['seq10', 'seq10-chained'];
  try {
    await stack.request('POST', '/api/v1/projects', { name: 'bench' });
    for (const [name, chained] of [
      ['seq10', false],
      ['seq10-chained', true],
    ] as const)
      await stack.request('POST', '/api/v1/projects/bench/pipelines', sequentialPipeline(name, 10, chained));
    spawn();
    await waitForRuns(stack, [await trigger(stack, 'bench', 'seq10')]); // warm-up: connections, caches
    const oneBefore = await round(stack, pipelines);
    spawn();
    // warm-up of the second worker: enough runs at once that both pollers get some
    await waitForRuns(
      stack,
      await Promise.all(Array.from({ length: 10 }, () => trigger(stack, 'bench', 'seq10'))),
    );
    const two = await round(stack, pipelines);
    stopping = true;
    await stopWorker(workers.pop()!);
    stopping = false;
    const oneAfter = await round(stack, pipelines);
    const one = oneBefore.map((r, i) => +((r + oneAfter[i]!) / 2).toFixed(1));
    emit({
      bench: 'scale-out',
      runs: RUNS,
      stepsPerRun: 10,
      oneWorkerStepsPerSecond: one[0],
      twoWorkersStepsPerSecond: two[0],
      ratio: +(two[0]! / one[0]!).toFixed(2),
      chainedOneWorkerStepsPerSecond: one[1],
      chainedTwoWorkersStepsPerSecond: two[1],
      chainedRatio: +(two[1]! / one[1]!).toFixed(2),
      oneWorkerRounds: { before: oneBefore, after: oneAfter },
    });
  } finally {
    stopping = true;
    await Promise.all(workers.map(stopWorker));
    await stack.stop();
  }
}

if (require.main === module)
  scaleOut().then(
    () => process.exit(0),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );

/**
 * Run-path benchmarks; each figure is one JSON line on stdout.
 * - step-overhead: 100 sequential no-op steps, orchestration overhead per step against a shell
 *   loop spawning the same `/bin/sh -e -c true` processes, measured in the same run; once with
 *   each step in an activity of its own (`chainSteps: false`), once as a step chain.
 *   Also the floor under it: a bare Temporal workflow of 100 sequential no-op activities on the
 *   same server, so the figure can be read as "ours" versus "Temporal's own round trip here".
 * - throughput: 100 concurrent runs x 10 no-op steps, steps per second (both ways).
 */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { startBenchStack, type BenchStack } from './stack';
import { sequentialPipeline, throughput, trigger, waitForRuns } from './run-load';
import { scaleOut } from './scale-out';

const emit = (figure: Record<string, unknown>) => console.log(JSON.stringify(figure));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** ms per activity of a workflow that only runs n no-op activities, on the stack's Temporal server. */
async function temporalFloorMs(stack: BenchStack, n: number): Promise<number> {
  const taskQueue = `floor-${crypto.randomBytes(3).toString('hex')}`;
  const connection = await NativeConnection.connect({ address: stack.config.TEMPORAL_ADDRESS });
  const client = new Client({
    connection: await Connection.connect({ address: stack.config.TEMPORAL_ADDRESS }),
  });
  const worker = await Worker.create({
    connection,
    taskQueue,
    workflowsPath: require.resolve('./fixtures/noop-workflow'),
    activities: { noop: async () => undefined },
  });
  const run = () =>
    client.workflow.execute('noopSequence', {
      taskQueue,
      workflowId: `floor-${crypto.randomUUID()}`,
      args: [n],
    });
  const ms = await worker.runUntil(async () => {
    await run(); // warm-up
    const start = performance.now();
    await run();
    return (performance.now() - start) / n;
  });
  await client.connection.close();
  await connection.close();
  return ms;
}

function shellLoopMs(n: number): number {
  const start = performance.now();
  execFileSync('/bin/bash', ['-c', `for i in $(seq ${n}); do /bin/sh -e -c true; done`]);
  return performance.now() - start;
}

/** Overhead per step (ms) of 100 sequential no-op steps against the shell loop: medians of 3 rounds. */
async function stepOverhead(stack: BenchStack, pipeline: string) {
  const overheads: number[] = [];
  const baselines: number[] = [];
  for (let i = 0; i < 3; i++) {
    const baseline = shellLoopMs(100);
    const start = performance.now();
    await waitForRuns(stack, [await trigger(stack, 'bench', pipeline)]);
    const total = performance.now() - start;
    baselines.push(baseline);
    overheads.push((total - baseline) / 100);
  }
  return { baselineMs: Math.round(median(baselines)), overheadPerStepMs: +median(overheads).toFixed(2) };
}

export async function main(): Promise<void> {
  const stack = await startBenchStack();
  try {
    await stack.request('POST', '/api/v1/projects', { name: 'bench' });
    for (const chained of [false, true]) {
      const suffix = chained ? '-chained' : '';
      await stack.request(
        'POST',
        '/api/v1/projects/bench/pipelines',
        sequentialPipeline(`seq100${suffix}`, 100, chained),
      );
      await stack.request(
        'POST',
        '/api/v1/projects/bench/pipelines',
        sequentialPipeline(`seq10${suffix}`, 10, chained),
      );
      await waitForRuns(stack, [await trigger(stack, 'bench', `seq10${suffix}`)]); // warm-up: bundle, caches, connections
    }

    const unchained = await stepOverhead(stack, 'seq100');
    const chained = await stepOverhead(stack, 'seq100-chained');
    const floor = await temporalFloorMs(stack, 100);
    emit({
      bench: 'step-overhead',
      steps: 100,
      baselineMs: unchained.baselineMs,
      overheadPerStepMs: unchained.overheadPerStepMs,
      chainedOverheadPerStepMs: chained.overheadPerStepMs,
      temporalFloorPerActivityMs: +floor.toFixed(2),
      targetMs: 15,
    });

    const runs = 100;
    const one = await throughput(stack, 'seq10', runs);
    const many = await throughput(stack, 'seq10-chained', runs);
    emit({
      bench: 'throughput',
      runs,
      stepsPerRun: 10,
      seconds: one.seconds,
      stepsPerSecond: one.stepsPerSecond,
      chainedSeconds: many.seconds,
      chainedStepsPerSecond: many.stepsPerSecond,
      target: 100,
    });
  } finally {
    await stack.stop();
  }
  await scaleOut();
}

if (require.main === module)
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });

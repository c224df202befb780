/** Triggering runs and waiting for them: shared by the run-path benchmarks. */
import crypto from 'node:crypto';
import { BENCH_TOKEN, type BenchStack } from './stack';

export function sequentialPipeline(name: string, steps: number, chainSteps: boolean): string {
  const lines = [
    'apiVersion: containerops/v1',
    'kind: Pipeline',
    `name: ${name}`,
    'maxParallel: 1',
    `chainSteps: ${chainSteps}`,
    'steps:',
  ];
  for (let i = 0; i < steps; i++)
    lines.push(`  - { id: s${i}, run: "true"${i ? `, needs: [s${i - 1}]` : ''} }`);
  return lines.join('\n') + '\n';
}

export async function waitForRuns(stack: BenchStack, ids: string[]): Promise<void> {
  for (;;) {
    const done = await stack.db.run.count({
      where: { id: { in: ids }, status: { in: ['succeeded', 'failed', 'cancelled', 'timed_out'] } },
    });
    if (done === ids.length) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const failed = await stack.db.run.count({ where: { id: { in: ids }, status: { not: 'succeeded' } } });
  if (failed) throw new Error(`${failed} benchmark runs did not succeed`);
}

/**
 * Triggers a run; a 503 (the database busy under 100 triggers at once on a loaded machine) is
 * retried with the same Idempotency-Key, so a retry never makes a second run.
 */
export async function trigger(stack: BenchStack, project: string, pipeline: string): Promise<string> {
  const headers = {
    authorization: `Bearer ${BENCH_TOKEN}`,
    'content-type': 'application/json',
    'idempotency-key': crypto.randomUUID(),
  };
  const url = `${stack.api.url}/api/v1/projects/${project}/pipelines/${pipeline}/runs`;
  for (let attempt = 1; ; attempt++) {
    const res = await fetch(url, { method: 'POST', headers, body: '{}' });
    if (res.status === 201 || res.status === 200) return ((await res.json()) as { id: string }).id;
    if (res.status !== 503 || attempt === 10) throw new Error(`trigger: ${res.status} ${await res.text()}`);
    await new Promise((r) => setTimeout(r, 500 * attempt));
  }
}

/** `runs` concurrent runs of a 10-step pipeline of project `bench`: wall time and steps per second. */
export async function throughput(stack: BenchStack, pipeline: string, runs: number) {
  const start = performance.now();
  const ids = await Promise.all(Array.from({ length: runs }, () => trigger(stack, 'bench', pipeline)));
  await waitForRuns(stack, ids);
  const seconds = (performance.now() - start) / 1000;
  return { seconds: +seconds.toFixed(2), stepsPerSecond: +((runs * 10) / seconds).toFixed(1) };
}

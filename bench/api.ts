/**
 * API read-path benchmark; each figure is one JSON line on stdout.
 * - api.get-run: GET of one run at a fixed open-loop rate (500/s for 10 s by default) while 100
 *   runs are in flight (each parked at an approval gate, so its workflow is running), beside the
 *   floor of the HTTP stack: GET /healthz at the same rate, in the same run.
 * Latency is measured from the moment a request was due, so a stalled server cannot hide its
 * backlog (no coordinated omission). BENCH_API_RATE and BENCH_API_SECONDS change the load.
 */
import http from 'node:http';
import { BENCH_TOKEN, startBenchStack, type BenchStack } from './stack';

const emit = (figure: Record<string, unknown>) => console.log(JSON.stringify(figure));
const RATE = Number(process.env.BENCH_API_RATE ?? 500);
const SECONDS = Number(process.env.BENCH_API_SECONDS ?? 10);
const IN_FLIGHT = 100;

const gated = `apiVersion: containerops/v1
kind: Pipeline
name: gated
steps:
  - id: build
    run: "true"
  - id: gate
    needs: [build]
    approval: { approvers: ["user:admin"] }
  - id: ship
    needs: [gate]
    run: "true"
`;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

function get(agent: http.Agent, url: URL, token: string | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      url,
      { agent, headers: token ? { authorization: `Bearer ${token}` } : {} },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
  });
}

/** Open-loop load: request i is due at start + i/rate; at most rate*seconds requests, bounded in time. */
async function load(url: string, token: string | undefined, rate: number, seconds: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const target = new URL(url);
  const total = Math.round(rate * seconds);
  const latencies: number[] = [];
  let failed = 0;
  const pending: Promise<void>[] = [];
  const start = performance.now();
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    pending.push(
      get(agent, target, token).then(
        (status) => {
          if (status !== 200) failed++;
          latencies.push(performance.now() - due);
        },
        () => void failed++,
      ),
    );
  }
  await Promise.race([Promise.all(pending), new Promise((r) => setTimeout(r, 30_000).unref())]);
  const elapsed = (performance.now() - start) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    requests: total,
    failed,
    achievedRate: Math.round(latencies.length / elapsed),
    p50Ms: +percentile(latencies, 50).toFixed(1),
    p95Ms: +percentile(latencies, 95).toFixed(1),
    p99Ms: +percentile(latencies, 99).toFixed(1),
  };
}

async function json<T>(res: Response, expect: number): Promise<T> {
  if (res.status !== expect) throw new Error(`${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

async function parkRuns(stack: BenchStack, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const res = await stack.request('POST', '/api/v1/projects/bench/pipelines/gated/runs', {});
    ids.push((await json<{ id: string }>(res, 201)).id);
  }
  const deadline = Date.now() + 120_000;
  for (;;) {
    const waiting = await stack.db.stepRun.count({
      where: { runId: { in: ids }, stepId: 'gate', status: 'waiting' },
    });
    if (waiting === n) return ids;
    if (Date.now() > deadline) throw new Error(`only ${waiting}/${n} runs reached their gate`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function main(): Promise<void> {
  const stack = await startBenchStack();
  let ids: string[] = [];
  try {
    await json(await stack.request('POST', '/api/v1/projects', { name: 'bench' }), 201);
    await json(await stack.request('POST', '/api/v1/projects/bench/pipelines', gated), 201);
    ids = await parkRuns(stack, IN_FLIGHT);
    const runUrl = `${stack.api.url}/api/v1/projects/bench/runs/${ids[0]}`;
    await load(runUrl, BENCH_TOKEN, RATE, 1); // warm-up: connections, JIT
    const floor = await load(`${stack.api.url}/healthz`, undefined, RATE, SECONDS);
    const run = await load(runUrl, BENCH_TOKEN, RATE, SECONDS);
    emit({
      bench: 'api.get-run',
      runsInFlight: IN_FLIGHT,
      rate: RATE,
      seconds: SECONDS,
      ...run,
      floor: { route: 'GET /healthz', ...floor },
      targetP99Ms: 20,
    });
  } finally {
    await Promise.all(
      ids.map((id) => stack.request('POST', `/api/v1/projects/bench/runs/${id}/cancel`, {}).catch(() => 0)),
    );
    await stack.stop();
  }
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}

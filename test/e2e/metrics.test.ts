import type { ChildProcess } from 'node:child_process';
import net from 'node:net';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { startStack, type Stack } from '../support/stack';
import { spawnWorkerProcess } from '../support/worker-process';
import { createPipeline, createProject, eventually, trigger, waitForRun } from '../support/runs';

let stack: Stack;
let worker: ChildProcess;
let workerMetricsPort: number;

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

async function scrape(url: string) {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  // the parser folds every labelled histogram's buckets into one sample; counts and sums are what we read
  const text = (await res.text())
    .split('\n')
    .filter((line) => !/^\w+_bucket\{/.test(line))
    .join('\n');
  return parsePrometheusTextFormat(text);
}

type Families = Awaited<ReturnType<typeof scrape>>;
function samples(families: Families, name: string) {
  return families.find((f) => f.name === name)?.metrics ?? [];
}

beforeAll(async () => {
  stack = await startStack({ worker: false });
  workerMetricsPort = await freePort();
  worker = spawnWorkerProcess(stack.config, {
    LOG_LEVEL: 'warn',
    CO_WORKER_METRICS_PORT: String(workerMetricsPort),
  });
});
afterAll(async () => {
  if (worker?.exitCode === null) worker.kill('SIGKILL');
  await stack?.stop();
});

it('after a run, the API and the worker expose its series to a Prometheus scrape', async () => {
  const project = await createProject(stack);
  await createPipeline(
    stack,
    project,
    `apiVersion: containerops/v1
kind: Pipeline
name: measured
steps:
  - id: hello
    run: for i in 1 2 3; do echo "line $i"; done
  - id: broken
    needs: [hello]
    run: exit 3
`,
  );
  const run = await trigger(stack, project, 'measured');
  expect((await waitForRun(stack, project, run.id, 120_000)).status).toBe('failed');

  const api = await scrape(`${stack.url}/metrics`);
  expect(samples(api, 'co_runs_started_total')).toContainEqual({
    value: '1',
    labels: { project, pipeline: 'measured', trigger: 'api' },
  });
  expect(samples(api, 'co_runs_finished_total')).toContainEqual({
    value: '1',
    labels: { project, pipeline: 'measured', status: 'failed' },
  });
  const triggerRoute = samples(api, 'co_http_request_duration_seconds').find(
    (m) => m.labels?.route === '/api/v1/projects/:project/pipelines/:name/runs' && m.labels.method === 'POST',
  );
  expect(triggerRoute?.labels?.status).toBe('201');
  expect(Number(triggerRoute?.count)).toBeGreaterThanOrEqual(1);

  // the worker's series arrive through the SDK's exporter, which publishes on its own schedule
  const workerUrl = `http://127.0.0.1:${workerMetricsPort}/metrics`;
  const workerFamilies = await eventually(async () => {
    const families = await scrape(workerUrl);
    const finished = samples(families, 'co_run_duration_seconds').find((m) => m.labels?.status === 'failed');
    return finished ? families : undefined;
  }, 'the worker to publish the run duration');
  const steps = samples(workerFamilies, 'co_step_duration_seconds');
  expect(steps.find((m) => m.labels?.status === 'succeeded')?.count).toBe('1');
  expect(steps.find((m) => m.labels?.status === 'failed')?.count).toBe('1');
  const lines = samples(workerFamilies, 'co_log_lines_ingested_total').reduce(
    (n, m) => n + Number(m.value),
    0,
  );
  expect(lines).toBeGreaterThanOrEqual(3);
  expect(samples(workerFamilies, 'co_steps_running').map((m) => m.value)).toContain('0');
  // and the Temporal SDK's own series on the same endpoint
  expect(workerFamilies.some((f) => f.name.startsWith('temporal_'))).toBe(true);
}, 240_000); // the spawned worker bundles its workflows when it starts

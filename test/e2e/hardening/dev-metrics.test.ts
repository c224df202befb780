import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { workflowBundle } from '../../support/stack';
import { eventually } from '../../support/runs';
import { devEnv, processesWith, processTree, startDev, type DevStack } from '../../support/dev-stack';

const TOKEN = 'co_dev_metrics_admin_token_0123456789ab';
let dataDir: string;
let dev: DevStack | undefined;

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'co-dev-metrics-'));
  const bundle = path.join(dataDir, 'workflow-bundle.js');
  fs.writeFileSync(bundle, (await workflowBundle()).code);
  // no CO_WORKER_METRICS_PORT: the API's /metrics is the only endpoint
  const env = devEnv(dataDir, { CO_BOOTSTRAP_ADMIN_TOKEN: TOKEN, CO_WORKFLOW_BUNDLE: bundle });
  delete env.CO_WORKER_METRICS_PORT;
  dev = await startDev(env);
}, 240_000);
afterAll(async () => {
  for (const pid of [...processesWith(dataDir), ...(dev ? processTree(dev.child.pid!) : [])]) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function api(method: string, p: string, body?: string | object): Promise<Response> {
  const headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` };
  if (typeof body === 'string') headers['content-type'] = 'application/yaml';
  else if (body) headers['content-type'] = 'application/json';
  return fetch(`${dev!.url}/api/v1${p}`, {
    method,
    headers,
    body: typeof body === 'string' || body === undefined ? body : JSON.stringify(body),
  });
}

type Family = {
  name: string;
  metrics: Array<{ labels?: Record<string, string>; value?: string; count?: string }>;
};

it("serves the worker's step series on the API's /metrics under npm start (issue 22 item 9a)", async () => {
  expect((await api('POST', '/projects', { name: 'demo' })).status).toBe(201);
  const pipeline =
    'apiVersion: containerops/v1\nkind: Pipeline\nname: m\nsteps:\n  - id: a\n    run: echo hi\n  - id: b\n    needs: [a]\n    run: "false"\n';
  expect((await api('POST', '/projects/demo/pipelines', pipeline)).status).toBe(201);
  const run = (await (await api('POST', '/projects/demo/pipelines/m/runs', {})).json()) as { id: string };
  await eventually(
    async () => {
      const view = (await (await api('GET', `/projects/demo/runs/${run.id}`)).json()) as { status: string };
      return view.status === 'failed' ? true : undefined;
    },
    'the run to fail at step b',
    120_000,
  );

  // the parser folds every labelled histogram's buckets into one sample: counts and sums are read
  const scrape = async () =>
    parsePrometheusTextFormat(
      (await (await fetch(`${dev!.url}/metrics`)).text())
        .split('\n')
        .filter((line) => !/^\w+_bucket\{/.test(line))
        .join('\n'),
    ) as Family[];
  // the run's duration is recorded as its workflow ends, a moment after its status is written
  const families = await eventually(async () => {
    const all = await scrape();
    const runs = all.find((f) => f.name === 'co_run_duration_seconds')?.metrics ?? [];
    return runs.some((m) => m.labels?.status === 'failed') ? all : undefined;
  }, 'the run duration on /metrics');
  const family = (name: string) => families.find((f) => f.name === name)?.metrics ?? [];
  const steps = family('co_step_duration_seconds');
  expect(steps.find((m) => m.labels?.status === 'succeeded')?.count).toBe('1');
  expect(steps.find((m) => m.labels?.status === 'failed')?.count).toBe('1');
  expect(family('co_steps_running').map((m) => m.value)).toEqual(['0']);
  expect(Number(family('co_log_lines_ingested_total')[0]?.value)).toBeGreaterThanOrEqual(1);
  expect(family('co_run_duration_seconds').find((m) => m.labels?.status === 'failed')?.count).toBe('1');
  // the API's own series are still there
  expect(family('co_runs_started_total').length).toBeGreaterThan(0);
});

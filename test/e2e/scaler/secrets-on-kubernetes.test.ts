import crypto from 'node:crypto';
import { FakeKube, runProcesses } from '../../support/fake-kube';
import { dumpDatabase, historyBytes } from '../../support/leaks';
import { createPipeline, createProject, step, trigger, waitForRun } from '../../support/runs';
import { startStack, type Stack } from '../../support/stack';

// Run-wide masking on the Kubernetes runtime. The fake API server's kubelet runs each pod's
// containers as host processes; every pod has its own workspace, so the secret one pod writes
// down reaches the next one as an artifact, through dockyard, as a file a developer could plant.

const secretValue = `kv-${crypto.randomBytes(12).toString('hex')}`;

const PIPELINE = `apiVersion: containerops/v1
kind: Pipeline
name: pod-run-wide-mask
steps:
  - id: given
    runtime: kubernetes
    image: busybox:1.36
    env: { API_KEY: "\${{ secrets.POD_KEY }}" }
    run: |
      mkdir -p stash
      printf '%s' "$API_KEY" > stash/key.txt
    artifacts:
      out: [ { name: stash, path: stash } ]
  - id: reader
    needs: [given]
    runtime: kubernetes
    image: busybox:1.36
    run: |
      key=$(cat stash/key.txt)
      echo "read back: $key"
      echo "$key=as-a-key" >> "$CO_OUTPUTS"
      { echo "split<<EOF"; printf '%s\\n' "$key" | cut -c1-10; printf '%s\\n' "$key" | cut -c11-; echo "EOF"; } >> "$CO_OUTPUTS"
    artifacts:
      in: [ { name: stash, from: given } ]
`;

let fake: FakeKube;
let stack: Stack;
let project: string;

beforeAll(async () => {
  fake = await new FakeKube().start();
  fake.podBehavior = (pod) => runProcesses(pod);
  stack = await startStack({ kubeConfig: fake.kubeConfig(), config: { CO_K8S_NAMESPACE: 'default' } });
  project = await createProject(stack);
}, 180_000);
afterAll(async () => {
  await stack?.stop();
  await fake?.stop();
});

it('a pod given no secret masks the run’s secret it reads from an artifact: log, output keys, split heredocs, history', async () => {
  const created = await stack.request('POST', `/api/v1/projects/${project}/secrets`, {
    name: 'POD_KEY',
    value: secretValue,
  });
  expect(created.status).toBe(201);
  await createPipeline(stack, project, PIPELINE);
  const run = await waitForRun(stack, project, (await trigger(stack, project, 'pod-run-wide-mask')).id);
  expect(run.steps.map((s) => [s.id, s.status, s.error])).toEqual([
    ['given', 'succeeded', null],
    ['reader', 'succeeded', null],
  ]);
  const logs = await (
    await stack.request('GET', `/api/v1/projects/${project}/runs/${run.id}/steps/reader/logs`)
  ).text();
  expect(logs).toContain('read back: ***');
  expect(step(run, 'reader').outputs).toEqual({ '***': 'as-a-key', split: '***\n***' });

  const rows = await stack.db.logLine.findMany({ where: { runId: run.id } });
  const steps = await stack.db.stepRun.findMany({ where: { runId: run.id } });
  const history = await historyBytes(stack, run.workflowId);
  const dump = await dumpDatabase(stack.config.DATABASE_URL!);
  for (const value of [secretValue, secretValue.slice(0, 10), secretValue.slice(10)]) {
    expect(JSON.stringify({ lines: rows.map((r) => r.line), steps })).not.toContain(value);
    expect(history.includes(value)).toBe(false);
    expect(dump.includes(value)).toBe(false);
  }
}, 120_000);

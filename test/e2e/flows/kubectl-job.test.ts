import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeKube } from '../../support/fake-kube';
import { startStack, type Stack } from '../../support/stack';
import { createPipeline, createProject, step, trigger, waitForRun } from '../../support/runs';

// A flow's `kubectl:` job replaces its manifest (delete, then create) in the flow's namespace,
// with no endpoint, as the original's kubectl image did.

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: bmi-calculator
spec:
  replicas: 1
  selector: { matchLabels: { name: bmi-calculator } }
  template:
    metadata: { labels: { name: bmi-calculator } }
    spec:
      containers:
        - { name: bmi-calculator, image: hub.example.org/servicecomb/bmi:latest }
`;

let fake: FakeKube;
let stack: Stack;
let project: string;
let manifests: http.Server;
let manifestUrl: string;

beforeAll(async () => {
  manifests = http.createServer((req, res) => {
    if (req.url !== '/bmi/bmi-calculator-deployment.yaml') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/yaml' }).end(DEPLOYMENT);
  });
  await new Promise<void>((resolve) => manifests.listen(0, '127.0.0.1', resolve));
  manifestUrl = `http://127.0.0.1:${(manifests.address() as AddressInfo).port}/bmi/bmi-calculator-deployment.yaml`;
  fake = await new FakeKube().start();
  stack = await startStack({ kubeConfig: fake.kubeConfig() });
  project = await createProject(stack);
});
afterAll(async () => {
  await stack?.stop();
  await fake?.stop();
  await new Promise<void>((resolve) => manifests?.close(() => resolve()));
});

it('runs a kubectl job as a replace (delete, then create) in the flow namespace', async () => {
  await createPipeline(
    stack,
    project,
    `uri: huawei/serviceComb/bmi
title: Bmi application - quickstart demo of seviceComb
version: 4
timeout: 0
namespace: servicecomb
stages:
  -
    type: start
    name: start
  -
    type: normal
    name: servicecomb-bmi-deploy
    sequencing: sequence
    actions:
      -
        name: deploy-bmi
        title: Deploy bmi
        jobs:
          -
            name: bmi-calculator
            type: component
            kubectl: ${manifestUrl}
  -
    type: end
    name: end
`,
  );
  const deployments = '/apis/apps/v1/namespaces/servicecomb/deployments';
  const writes = () =>
    fake.requests
      .filter((r) => r.path.startsWith(deployments) && ['DELETE', 'POST', 'PATCH', 'PUT'].includes(r.method))
      .map((r) => `${r.method} ${r.path.slice(deployments.length) || '/'} ${r.status}`);

  const first = await waitForRun(stack, project, (await trigger(stack, project, 'bmi')).id);
  expect(first.status).toBe('succeeded');
  expect(step(first, 'servicecomb-bmi-deploy-deploy-bmi-bmi-calculator').outputs).toMatchObject({
    applied: 'Deployment/bmi-calculator',
  });
  const created = writes();
  expect(created.some((w) => /^(POST|PATCH) /.test(w) && / 20[01]$/.test(w))).toBe(true);
  expect(created.some((w) => w.startsWith('DELETE ') && w.endsWith(' 200'))).toBe(false);

  // the deployment now exists: the next run deletes it before creating it again
  const second = await waitForRun(stack, project, (await trigger(stack, project, 'bmi')).id);
  expect(second.status).toBe('succeeded');
  const replaced = writes().slice(created.length);
  const deleted = replaced.findIndex((w) => w.startsWith('DELETE /bmi-calculator '));
  const recreated = replaced.findIndex((w, i) => i > deleted && /^(POST|PATCH) /.test(w));
  expect(deleted).toBeGreaterThanOrEqual(0);
  expect(recreated).toBeGreaterThan(deleted);
  expect(fake.store.get('deployments', 'servicecomb', 'bmi-calculator')).toBeDefined();
});

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
/** a second cluster, registered in the project as a kubernetes-cluster service */
let teamCluster: FakeKube;
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
  teamCluster = await new FakeKube().start();
  stack = await startStack({ kubeConfig: fake.kubeConfig(), config: { CO_SERVICES_ALLOW_PRIVATE: 'true' } });
  project = await createProject(stack);
});
afterAll(async () => {
  await stack?.stop();
  await fake?.stop();
  await teamCluster?.stop();
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

it("applies a flow's kubectl jobs on the cluster service it names, with that service's credentials", async () => {
  const registered = await stack.request('POST', `/api/v1/projects/${project}/services`, {
    name: 'team-cluster',
    type: 'kubernetes-cluster',
    url: teamCluster.url,
    credentials: { token: 'team-cluster-token' },
    config: { insecureSkipTlsVerify: true },
  });
  expect(registered.status).toBe(201);
  await createPipeline(
    stack,
    project,
    `uri: acme/demo/on-team-cluster
namespace: apps
cluster: team-cluster
stages:
  - { type: start, name: start }
  - type: normal
    name: deploy
    actions:
      - name: bmi
        jobs:
          - { name: bmi, type: component, kubectl: ${manifestUrl} }
  - { type: end, name: end }
`,
  );
  const before = fake.requests.length;
  const run = await waitForRun(stack, project, (await trigger(stack, project, 'on-team-cluster')).id);
  expect(run.status).toBe('succeeded');
  expect(teamCluster.store.get('deployments', 'apps', 'bmi-calculator')).toBeDefined();
  const writes = teamCluster.requests.filter((r) => r.path.startsWith('/apis/apps/v1/namespaces/apps/'));
  expect(writes.length).toBeGreaterThan(0);
  expect(new Set(writes.map((r) => r.bearer))).toEqual(new Set(['team-cluster-token']));
  // the worker's own cluster saw nothing of it
  expect(fake.requests.slice(before).filter((r) => r.path.includes('/namespaces/apps/'))).toEqual([]);
});

it('fails the kubectl job, naming the service, when the cluster service it names does not exist', async () => {
  await createPipeline(
    stack,
    project,
    `uri: acme/demo/on-missing-cluster
cluster: no-such-cluster
stages:
  - { type: start, name: start }
  - type: normal
    name: deploy
    actions:
      - name: bmi
        jobs:
          - { name: bmi, type: component, kubectl: ${manifestUrl} }
  - { type: end, name: end }
`,
  );
  const run = await waitForRun(stack, project, (await trigger(stack, project, 'on-missing-cluster')).id);
  expect(run.status).toBe('failed');
  expect(step(run, 'deploy-bmi-bmi').error).toMatch(/no service "no-such-cluster"/);
});

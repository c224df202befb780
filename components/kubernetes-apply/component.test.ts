import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FakeKube } from '../../test/support/fake-kube';
import { runComponent } from '../../test/support/components';

let fake: FakeKube;
beforeAll(async () => {
  fake = await new FakeKube().start();
});
afterEach(() => expect(fake.rejected).toEqual([]));
afterAll(() => fake.stop());

const configMap = (name: string, value: string) => `apiVersion: v1
kind: ConfigMap
metadata: { name: ${name} }
data: { key: "${value}" }
`;

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata: { name: web, labels: { app: web } }
spec:
  replicas: 1
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec: { containers: [{ name: web, image: "nginx:1.27" }] }
`;

describe('kubernetes-apply (run in the worker with the platform client, against the fake API server)', () => {
  it('server-side applies inline manifests into the namespace given', async () => {
    const { outcome, lines } = await runComponent(
      'kubernetes-apply',
      { manifests: `${configMap('settings', 'one')}---\n${deployment}`, namespace: 'shop' },
      { kubeConfig: fake.kubeConfig() },
    );
    expect(outcome.failure).toBeUndefined();
    expect(outcome.outputs).toEqual({ applied: 'ConfigMap/settings,Deployment/web', count: '2' });
    expect(lines).toEqual(['applied ConfigMap/settings in shop', 'applied Deployment/web in shop']);
    expect(fake.store.get('configmaps', 'shop', 'settings')?.data).toEqual({ key: 'one' });
    expect(fake.store.get('deployments', 'shop', 'web')).toBeDefined();
  });

  it('replace deletes each object, waits until it is gone, then creates it from a workspace file', async () => {
    const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'co-ws-'));
    fs.mkdirSync(path.join(workspace, 'deploy'));
    fs.writeFileSync(path.join(workspace, 'deploy', 'settings.yaml'), configMap('settings', 'two'));
    const before = fake.store.get('configmaps', 'shop', 'settings')!;
    const { outcome, lines } = await runComponent(
      'kubernetes-apply',
      { manifests: 'deploy/', namespace: 'shop', mode: 'replace' },
      { kubeConfig: fake.kubeConfig(), workspace },
    );
    expect(outcome.failure).toBeUndefined();
    expect(lines).toEqual(['deleted ConfigMap/settings', 'created ConfigMap/settings in shop']);
    const after = fake.store.get('configmaps', 'shop', 'settings')!;
    expect(after.data).toEqual({ key: 'two' });
    expect(after.metadata.uid).not.toBe(before.metadata.uid);
    const methods = fake.requests.filter((r) => r.path.endsWith('/configmaps/settings')).map((r) => r.method);
    expect(methods.slice(-3)).toEqual(['DELETE', 'GET', 'PATCH']);
  });

  it('refuses a path outside the workspace and a manifest without a name, without retry', async () => {
    const outside = await runComponent(
      'kubernetes-apply',
      { manifests: '../../etc/passwd' },
      { kubeConfig: fake.kubeConfig() },
    );
    expect(outside.outcome.failure).toMatchObject({ kind: 'invalid', retryable: false });
    expect(outside.outcome.failure?.message).toContain('outside the workspace');
    const nameless = await runComponent(
      'kubernetes-apply',
      { manifests: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n' },
      { kubeConfig: fake.kubeConfig() },
    );
    expect(nameless.outcome.failure).toMatchObject({ kind: 'invalid', retryable: false });
  });

  it('reports an unreachable API server as a retryable infrastructure failure', async () => {
    fake.failAllWith = 503;
    try {
      const { outcome } = await runComponent(
        'kubernetes-apply',
        { manifests: configMap('x', 'y') },
        { kubeConfig: fake.kubeConfig() },
      );
      expect(outcome.failure).toMatchObject({ kind: 'infrastructure', retryable: true });
    } finally {
      fake.failAllWith = undefined;
    }
  });
});

import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { AppsV1Api, KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import {
  createDeployActivities,
  type AppliedObject,
} from '../../../activities/runtimes/kubernetes/deploy/deploy';
import { KWOK, realCluster, realOnly, startTarget, TEST_IMAGE, uniqueId, type KubeTarget } from './target';

jest.setTimeout(realCluster ? 300_000 : 20_000);

let target: KubeTarget;
let apps: AppsV1Api;
let activities: ReturnType<typeof createDeployActivities>;
// Expected activity failures are asserted on, not logged.
const env = () => new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR') });
/** Runs an activity in a mock activity context (typed: MockActivityEnvironment.run infers unknown here). */
function run<A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A): Promise<R> {
  return runIn(env(), fn, ...args);
}
function runIn<A extends unknown[], R>(
  environment: MockActivityEnvironment,
  fn: (...args: A) => Promise<R>,
  ...args: A
): Promise<R> {
  return environment.run(fn as any, ...args) as Promise<R>;
}

beforeAll(async () => {
  target = await startTarget();
  apps = target.kc.makeApiClient(AppsV1Api);
  activities = createDeployActivities({ resolveKubeConfig: async () => target.kc });
});
afterEach(() => expect(target.fake?.rejected ?? []).toEqual([]));
afterAll(() => target.stop());

/** A pod template whose pods never become ready: an unpullable image, and kwok's never-ready rule. */
function brokenDeployment(name: string, image: string) {
  const manifest = deploymentManifest(name, image);
  return {
    ...manifest,
    spec: {
      ...manifest.spec,
      template: {
        ...manifest.spec.template,
        metadata: { ...manifest.spec.template.metadata, annotations: { [KWOK.neverReady]: 'true' } },
      },
    },
  };
}

function deploymentManifest(name: string, image: string) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: { app: name } },
    spec: {
      replicas: 1,
      progressDeadlineSeconds: realCluster ? 20 : 600,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'app', image, command: ['sh', '-c', 'sleep 3600'] }] },
      },
    },
  };
}

function serviceManifest(name: string) {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name },
    spec: { selector: { app: name }, ports: [{ port: 80, targetPort: 8080 }] },
  };
}

/** A StatefulSet or DaemonSet of one pod; `broken` pods never become ready. */
function workloadManifest(kind: 'StatefulSet' | 'DaemonSet', name: string, image: string, broken = false) {
  return {
    apiVersion: 'apps/v1',
    kind,
    metadata: { name, labels: { app: name } },
    spec: {
      ...(kind === 'StatefulSet' ? { replicas: 1, serviceName: name } : {}),
      selector: { matchLabels: { app: name } },
      template: {
        metadata: {
          labels: { app: name },
          ...(broken ? { annotations: { [KWOK.neverReady]: 'true' } } : {}),
        },
        spec: {
          terminationGracePeriodSeconds: 1,
          containers: [{ name: 'app', image, command: ['sh', '-c', 'sleep 3600'] }],
        },
      },
    },
  };
}

async function applyAndWait(
  manifests: object[],
  timeoutMs = realCluster ? 120_000 : 10_000,
): Promise<{ applied: AppliedObject[]; ok: boolean; reason?: string }> {
  const applied = await run(activities.applyManifests, { manifests, namespace: target.namespace });
  const result = await run(activities.waitForRollout, {
    targets: applied,
    deadline: Date.now() + timeoutMs,
    pollMs: realCluster ? 2000 : 50,
  });
  return { applied, ...result };
}

async function cleanup(name: string) {
  await apps.deleteNamespacedDeployment({ name, namespace: target.namespace }).catch(() => undefined);
}

test('manifests are server-side applied and the rollout is waited for', async () => {
  const name = uniqueId('web');
  const heartbeats: unknown[] = [];
  const applyEnv = env();
  applyEnv.on('heartbeat', (d: unknown) => heartbeats.push(d));

  const applied = await runIn(applyEnv, activities.applyManifests, {
    manifests: [serviceManifest(name), deploymentManifest(name, TEST_IMAGE)],
    namespace: target.namespace,
  });
  const result = await run(activities.waitForRollout, {
    targets: applied,
    deadline: Date.now() + (realCluster ? 120_000 : 10_000),
    pollMs: realCluster ? 2000 : 50,
  });

  expect(result).toEqual({ ok: true });
  expect(applied.map((a) => `${a.kind}/${a.name}`)).toEqual([`Service/${name}`, `Deployment/${name}`]);
  expect(applied[1]?.generation).toBe(1);
  expect(heartbeats.at(-1)).toEqual({ applied });
  if (target.fake) {
    const applies = target.fake.requests.filter((r) => r.method === 'PATCH' && r.path.includes(name));
    expect(applies.every((r) => r.contentType === 'application/apply-patch+yaml')).toBe(true);
    expect(applies.every((r) => r.query.fieldManager === 'containerops' && r.query.force === 'true')).toBe(
      true,
    );
  }

  // A retried apply (same manifests) changes nothing: no new generation, no new rollout.
  const again = await run(activities.applyManifests, {
    manifests: [serviceManifest(name), deploymentManifest(name, TEST_IMAGE)],
    namespace: target.namespace,
  });
  expect(again[1]?.generation).toBe(1);
  await cleanup(name);
});

test("a failed rollout is reported and rolled back to the previous ReplicaSet's template", async () => {
  const name = uniqueId('api');
  expect((await applyAndWait([deploymentManifest(name, TEST_IMAGE)])).ok).toBe(true);

  const broken = brokenDeployment(name, 'registry.does-not-exist.invalid/api:2');
  const failed = await applyAndWait([broken]);
  expect(failed.ok).toBe(false);
  expect(failed.reason).toContain('ProgressDeadlineExceeded');

  const rollback = await run(activities.rollbackDeployments, {
    manifests: [broken],
    namespace: target.namespace,
  });
  expect(rollback).toEqual([{ name, namespace: target.namespace, fromRevision: '2', toRevision: '1' }]);
  const deployment = await apps.readNamespacedDeployment({ name, namespace: target.namespace });
  expect(deployment.spec?.template.spec?.containers[0]?.image).toBe(TEST_IMAGE);
  const settled = await run(activities.waitForRollout, {
    targets: [
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name,
        namespace: target.namespace,
        generation: deployment.metadata?.generation,
      },
    ],
    deadline: Date.now() + (realCluster ? 120_000 : 10_000),
    pollMs: realCluster ? 2000 : 50,
  });
  expect(settled).toEqual({ ok: true });
  // The controller bumps the revision when it observes the new generation, not on the apply.
  const rolledBack = await apps.readNamespacedDeployment({ name, namespace: target.namespace });
  expect(rolledBack.metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('3');
  await cleanup(name);
});

for (const kind of ['StatefulSet', 'DaemonSet'] as const) {
  realOnly(
    `a failed ${kind} rollout is rolled back to its previous ControllerRevision's template`,
    async () => {
      const name = uniqueId(kind.toLowerCase());
      const good = workloadManifest(kind, name, TEST_IMAGE);
      expect((await applyAndWait([good])).ok).toBe(true);

      const broken = workloadManifest(kind, name, 'registry.does-not-exist.invalid/db:2', true);
      const failed = await applyAndWait([broken], 15_000);
      expect(failed.ok).toBe(false);
      expect(failed.reason).toMatch(/rollout timed out/);

      const rollback = await run(activities.rollbackDeployments, {
        manifests: [broken],
        namespace: target.namespace,
      });
      expect(rollback).toEqual([{ name, namespace: target.namespace, fromRevision: '2', toRevision: '1' }]);
      const client = KubernetesObjectApi.makeApiClient(target.kc);
      const restored = (await client.read({
        apiVersion: 'apps/v1',
        kind,
        metadata: { name, namespace: target.namespace },
      })) as { spec?: any; metadata?: { generation?: number } };
      expect(restored.spec.template.spec.containers[0].image).toBe(TEST_IMAGE);
      const settled = await run(activities.waitForRollout, {
        targets: [
          {
            apiVersion: 'apps/v1',
            kind,
            name,
            namespace: target.namespace,
            generation: restored.metadata?.generation,
          },
        ],
        deadline: Date.now() + 120_000,
        pollMs: 1000,
      });
      expect(settled).toEqual({ ok: true });
      await client.delete({ apiVersion: 'apps/v1', kind, metadata: { name, namespace: target.namespace } });
    },
  );
}

test('a first rollout has nothing to roll back to, and says so', async () => {
  const name = uniqueId('new');
  const broken = brokenDeployment(name, 'registry.does-not-exist.invalid/new:1');
  expect((await applyAndWait([broken])).ok).toBe(false);

  const rollback = await run(activities.rollbackDeployments, {
    manifests: [broken],
    namespace: target.namespace,
  });

  expect(rollback[0]).toMatchObject({ name, skipped: 'no previous revision to roll back to' });
  await cleanup(name);
});

test('an invalid manifest fails without retries (InvalidManifest)', async () => {
  const name = uniqueId('bad');
  const invalid = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name }, spec: { template: {} } };

  const error = await run(activities.applyManifests, {
    manifests: [invalid],
    namespace: target.namespace,
  }).catch((e: unknown) => e);

  expect(error).toBeInstanceOf(ApplicationFailure);
  expect(error).toMatchObject({ type: 'InvalidManifest', nonRetryable: true });
  target.fake?.rejected.splice(0);
});

test('an unreachable cluster is a retryable failure (ClusterUnreachable)', async () => {
  const down = new KubeConfig();
  down.loadFromOptions({
    clusters: [{ name: 'down', server: 'http://127.0.0.1:1', skipTLSVerify: true }],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'down', cluster: 'down', user: 'u' }],
    currentContext: 'down',
  });
  const unreachable = createDeployActivities({ resolveKubeConfig: async () => down });

  const error = await run(unreachable.applyManifests, {
    manifests: [serviceManifest('x')],
    namespace: 'default',
  }).catch((e: unknown) => e);

  expect(error).toMatchObject({ type: 'ClusterUnreachable', nonRetryable: false });
});

test('pausing and resuming sets spec.paused on the Deployments', async () => {
  const name = uniqueId('pause');
  const { applied } = await applyAndWait([deploymentManifest(name, TEST_IMAGE)]);

  await run(activities.setRolloutPaused, { targets: applied, paused: true });
  expect((await apps.readNamespacedDeployment({ name, namespace: target.namespace })).spec?.paused).toBe(
    true,
  );
  await run(activities.setRolloutPaused, { targets: applied, paused: false });
  // The API server omits a false `paused` (omitempty): absent means resumed.
  expect(
    (await apps.readNamespacedDeployment({ name, namespace: target.namespace })).spec?.paused ?? false,
  ).toBe(false);
  await cleanup(name);
});

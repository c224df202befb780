import { randomBytes } from 'node:crypto';
import { CoreV1Api } from '@kubernetes/client-node';
import { KubernetesRuntime } from '../../../activities/runtimes/kubernetes/kubernetes';
import { buildPod, podName } from '../../../activities/runtimes/kubernetes/pod-spec';
import type { StepLaunch } from '../../../activities/runtimes/runtime';
import {
  eventually,
  fakeScripted,
  kwok,
  kwokExit,
  needsContainers,
  realCluster,
  recordingHooks,
  startTarget,
  stdout,
  stepLaunch,
  type KubeTarget,
} from './target';

jest.setTimeout(realCluster ? 180_000 : 20_000);

let target: KubeTarget;
let runtime: KubernetesRuntime;
let core: CoreV1Api;

beforeAll(async () => {
  target = await startTarget();
  core = target.kc.makeApiClient(CoreV1Api);
});
function makeRuntime(podAnnotations?: Record<string, string>): KubernetesRuntime {
  return new KubernetesRuntime({
    kubeConfig: target.kc,
    namespace: target.namespace,
    pendingTimeoutMs: realCluster ? 20_000 : 1_000,
    keepOnFailure: false,
    deleteGraceSeconds: 1,
    heartbeatMs: 100,
    podAnnotations,
  });
}
beforeEach(() => {
  runtime = makeRuntime();
});
afterEach(() => {
  // Every Pod the runtime sent must pass the official schemas (the invalid-spec test clears its own).
  expect(target.fake?.rejected ?? []).toEqual([]);
});
afterAll(() => target.stop());

async function podExists(launch: StepLaunch): Promise<boolean> {
  try {
    await core.readNamespacedPod({ name: podName(launch), namespace: target.namespace });
    return true;
  } catch {
    return false;
  }
}

const script = (...lines: string[]) => lines.join('\n');

needsContainers(
  'a step runs as a pod: logs stream in order, outputs come back, the pod is deleted',
  'no logs',
  async () => {
    const launch = stepLaunch({
      script: script(
        'echo "hello from $CO_RUN"',
        'echo "coverage=87" >> "$CO_OUTPUTS"',
        'printf \'notes<<EOF\\nline one\\nline two\\nEOF\\n\' >> "$CO_OUTPUTS"',
        'echo "[COUT] LEGACY = yes"',
        'echo done',
      ),
    });
    const hooks = recordingHooks();

    const outcome = await runtime.run(launch, hooks);

    expect(outcome.failure).toBeUndefined();
    expect(outcome.exitCode).toBe(0);
    expect(outcome.outputs).toEqual({ coverage: '87', notes: 'line one\nline two', LEGACY: 'yes' });
    expect(stdout(hooks)).toEqual(['hello from test', '[COUT] LEGACY = yes', 'done']);
    expect(hooks.lines.every(([stream]) => stream === 'stdout')).toBe(true);
    expect(hooks.heartbeats).toBeGreaterThan(0);
    expect(await podExists(launch)).toBe(false);
  },
);

test('outputs come back from the termination message of a pod that exits 0, and the pod is deleted', async () => {
  const file = 'coverage=87\nnotes<<EOF\nline one\nline two\nEOF\n';
  const launch = stepLaunch({
    script: script(
      'echo "coverage=87" >> "$CO_OUTPUTS"',
      `printf 'notes<<EOF\\nline one\\nline two\\nEOF\\n' >> "$CO_OUTPUTS"`,
    ),
  });

  const outcome = await makeRuntime(kwokExit(0, file)).run(launch, recordingHooks());

  expect(outcome.failure).toBeUndefined();
  expect(outcome.exitCode).toBe(0);
  expect(outcome.outputs).toEqual({ coverage: '87', notes: 'line one\nline two' });
  expect(await podExists(launch)).toBe(false);
});

test('the pod carries the step labels, a deterministic DNS-1123 name and the termination-log settings', () => {
  const launch = stepLaunch({
    runId: 'R'.repeat(40),
    stepId: 'a-very-long-step-name-that-goes-on-and-on',
    matrixKey: 'node=22',
  });
  const pod = buildPod(launch, { namespace: 'ci', keepOnFailure: false });
  const name = pod.metadata?.name ?? '';
  expect(name).toBe(podName({ ...launch }));
  expect(name.length).toBeLessThanOrEqual(63);
  expect(name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
  expect(name).toMatch(/-a1$/);
  expect(podName({ ...launch, matrixKey: 'node=20' })).not.toBe(name);
  expect(pod.metadata?.labels).toMatchObject({
    'containerops.dev/run': 'R'.repeat(40),
    'containerops.dev/step': launch.stepId,
    'containerops.dev/attempt': '1',
    'containerops.dev/project': 'demo',
  });
  const container = pod.spec?.containers[0];
  expect(container?.env).toContainEqual({ name: 'CO_OUTPUTS', value: '/dev/termination-log' });
  expect(container?.terminationMessagePath).toBe('/dev/termination-log');
  expect(container?.terminationMessagePolicy).toBe('FallbackToLogsOnError');
  expect(pod.spec?.restartPolicy).toBe('Never');
});

test('a non-zero exit fails as a retryable "exit" with the exit code and no outputs from the file', async () => {
  const launch = stepLaunch({ script: script('echo "x=1" >> "$CO_OUTPUTS"', 'echo failing', 'exit 3') });
  const hooks = recordingHooks();

  const outcome = await makeRuntime(kwokExit(3, 'x=1\n')).run(launch, hooks);

  expect(outcome.exitCode).toBe(3);
  expect(outcome.failure).toMatchObject({ kind: 'exit', retryable: true });
  expect(outcome.outputs).toEqual({});
  if (!kwok) expect(stdout(hooks)).toEqual(['failing']);
});

needsContainers(
  'an image that cannot be pulled fails at once as non-retryable "image", naming the image',
  'no image pulls',
  async () => {
    const launch = stepLaunch({ image: 'registry.does-not-exist.invalid/nope:1', script: 'echo never' });

    const outcome = await runtime.run(launch, recordingHooks());

    expect(outcome.failure).toMatchObject({ kind: 'image', retryable: false });
    expect(outcome.failure?.message).toContain('registry.does-not-exist.invalid/nope:1');
    expect(await podExists(launch)).toBe(false);
  },
);

test('a pod that stays Pending fails as "unschedulable" with the scheduler\'s reason', async () => {
  const launch = stepLaunch({
    script: 'echo never',
    pod: { nodeSelector: { 'containerops.dev/no-such-node': 'yes' } },
  });

  const outcome = await runtime.run(launch, recordingHooks());

  expect(outcome.failure?.kind).toBe('unschedulable');
  expect(outcome.failure?.message).toMatch(/node\(s\) didn't match Pod's node affinity\/selector/);
  expect(await podExists(launch)).toBe(false);
});

test('cancelling deletes the pod and reports "cancelled"', async () => {
  const launch = stepLaunch({ script: script('echo started', 'sleep 60', 'echo never') });
  const hooks = recordingHooks();
  const running = runtime.run(launch, hooks);
  if (kwok)
    await eventually('the pod to run', async () => {
      const pod = await core.readNamespacedPod({ name: podName(launch), namespace: target.namespace });
      return pod.status?.phase === 'Running';
    });
  else await hooks.lineSeen('started');

  hooks.cancel();
  const outcome = await running;

  expect(outcome.failure).toMatchObject({ kind: 'cancelled', retryable: false });
  expect(stdout(hooks)).not.toContain('never');
  expect(await podExists(launch)).toBe(false);
});

test('a step over its timeout is stopped and fails as "timeout"', async () => {
  const launch = stepLaunch({
    script: script('echo started', 'sleep 60'),
    timeoutMs: realCluster ? 15_000 : 1_000,
  });

  const outcome = await runtime.run(launch, recordingHooks());

  expect(outcome.failure?.kind).toBe('timeout');
  expect(await podExists(launch)).toBe(false);
});

test('a spec the API server rejects fails as non-retryable "invalid"', async () => {
  // Since v1.34 an env name may be any printable ASCII but '=' (RelaxedEnvironmentVariableValidation).
  const launch = stepLaunch({ script: 'echo never', env: { 'BAD=NAME': 'x' } });

  const outcome = await runtime.run(launch, recordingHooks());

  expect(outcome.failure).toMatchObject({ kind: 'invalid', retryable: false });
  expect(outcome.failure?.message).toMatch(/BAD=NAME/);
  target.fake?.rejected.splice(0);
});

test('secret variables reach the step from a per-attempt Secret owned by its pod, never through the pod spec', async () => {
  const value = `s3cr3t-${randomBytes(6).toString('hex')}`;
  const launch = stepLaunch({
    secretEnv: { API_TOKEN: value, 'ODD NAME': 'odd-value' },
    script: script('echo "got $API_TOKEN"', 'exit 1'),
  });
  const keeping = new KubernetesRuntime({
    kubeConfig: target.kc,
    namespace: target.namespace,
    keepOnFailure: true,
    heartbeatMs: 100,
    podAnnotations: kwokExit(1),
  });
  const hooks = recordingHooks();

  const outcome = await keeping.run(launch, hooks);

  expect(outcome.exitCode).toBe(1);
  if (!kwok) expect(stdout(hooks)).toContain(`got ${value}`);
  const name = podName(launch);
  const pod = await core.readNamespacedPod({ name, namespace: target.namespace });
  expect(JSON.stringify(pod.spec)).not.toContain(value);
  expect(JSON.stringify(pod.spec)).not.toContain('odd-value');
  const env = pod.spec?.containers[0]?.env ?? [];
  expect(env.find((e) => e.name === 'API_TOKEN')).toEqual({
    name: 'API_TOKEN',
    valueFrom: { secretKeyRef: { name, key: 'API_TOKEN' } },
  });
  const oddKey = env.find((e) => e.name === 'ODD NAME')?.valueFrom?.secretKeyRef?.key ?? '';
  expect(oddKey).toMatch(/^env-[0-9a-f]{20}$/);
  expect(env.find((e) => e.name === 'CO_RUN')).toEqual({ name: 'CO_RUN', value: 'test' });

  const secret = await core.readNamespacedSecret({ name, namespace: target.namespace });
  const decoded = (key: string) => Buffer.from(secret.data?.[key] ?? '', 'base64').toString('utf8');
  expect(decoded('API_TOKEN')).toBe(value);
  expect(decoded(oddKey)).toBe('odd-value');
  expect(secret.immutable).toBe(true);
  expect(secret.metadata?.ownerReferences).toEqual([
    expect.objectContaining({ apiVersion: 'v1', kind: 'Pod', name, uid: pod.metadata?.uid }),
  ]);

  // Deleting the pod deletes its Secret (the garbage collector follows the ownerReference).
  await core.deleteNamespacedPod({ name, namespace: target.namespace, gracePeriodSeconds: 0 });
  await eventually('the Secret to be collected with its pod', async () => {
    try {
      await core.readNamespacedSecret({ name, namespace: target.namespace });
      return false;
    } catch {
      return true;
    }
  });
});

fakeScripted(
  'an OOM-killed container fails as "oom"',
  'a step over its memory limit is OOM-killed',
  async () => {
    target.fake!.podBehavior = async (pod) => {
      pod.schedule();
      pod.start();
      pod.log('allocating');
      await pod.sleep(50);
      pod.exit(137, 'OOMKilled');
    };
    const outcome = await runtime.run(stepLaunch({ script: 'x' }), recordingHooks());
    expect(outcome.exitCode).toBe(137);
    expect(outcome.failure?.kind).toBe('oom');
  },
);

fakeScripted(
  'an evicted pod fails as "evicted" with the kubelet\'s message',
  'a pod evicted through the Eviction API',
  async () => {
    target.fake!.podBehavior = async (pod) => {
      pod.schedule();
      pod.start();
      await pod.sleep(50);
      pod.evict('The node was low on resource: memory.');
    };
    const outcome = await runtime.run(stepLaunch({ script: 'x' }), recordingHooks());
    expect(outcome.failure).toMatchObject({ kind: 'evicted', retryable: true });
    expect(outcome.failure?.message).toContain('low on resource: memory');
  },
);

fakeScripted(
  'a lost node fails the attempt as retryable "infrastructure"',
  'a node whose kubelet stopped',
  async () => {
    target.fake!.podBehavior = async (pod) => {
      pod.schedule();
      pod.start();
      await pod.sleep(50);
      pod.nodeLost();
    };
    const outcome = await runtime.run(stepLaunch({ script: 'x' }), recordingHooks());
    expect(outcome.failure).toMatchObject({ kind: 'infrastructure', retryable: true });
    expect(outcome.failure?.message).toContain('unresponsive');
  },
);

fakeScripted(
  'a retried activity adopts the pod its attempt already created instead of creating another',
  'a retried activity adopts the pod',
  async () => {
    const fake = target.fake!;
    fake.podBehavior = async (pod) => {
      pod.schedule();
      pod.start();
      await pod.sleep(300);
      pod.log('from the first try');
      pod.writeTerminationLog('adopted=yes\n');
      pod.exit(0);
    };
    const launch = stepLaunch({ script: 'x' });
    const createdBefore = fake.podsCreated().length;
    const conflictsBefore = fake.requests.filter((r) => r.status === 409).length;
    // The first try of this attempt created the pod, then its worker died.
    await core.createNamespacedPod({
      namespace: target.namespace,
      body: buildPod(launch, { namespace: target.namespace, keepOnFailure: false }),
    });

    const hooks = recordingHooks();
    const outcome = await runtime.run(launch, hooks);

    expect(outcome.outputs).toEqual({ adopted: 'yes' });
    expect(stdout(hooks)).toEqual(['from the first try']);
    expect(fake.podsCreated().length - createdBefore).toBe(1);
    expect(fake.requests.filter((r) => r.status === 409).length - conflictsBefore).toBe(1);
  },
);

fakeScripted(
  'a log stream that breaks mid-line resumes with no line lost or repeated',
  'a killed log stream resumes',
  async () => {
    const fake = target.fake!;
    fake.podBehavior = async (pod) => {
      pod.schedule();
      pod.start();
      for (let i = 1; i <= 10; i++) {
        pod.log(`line ${i}`);
        await pod.sleep(30);
      }
      pod.exit(0);
    };
    fake.dropNextLogStreamAfter(4);
    const hooks = recordingHooks();

    const outcome = await runtime.run(stepLaunch({ script: 'x' }), hooks);

    expect(outcome.exitCode).toBe(0);
    expect(stdout(hooks)).toEqual(Array.from({ length: 10 }, (_, i) => `line ${i + 1}`));
    expect(fake.requests.filter((r) => r.path.endsWith('/log')).length).toBeGreaterThanOrEqual(2);
  },
);

fakeScripted(
  'a dropped watch is re-established and the pod is still followed to completion',
  'a closed watch is re-established',
  async () => {
    const fake = target.fake!;
    fake.podBehavior = async (pod) => {
      pod.schedule();
      pod.start();
      await pod.sleep(100);
      fake.dropWatches();
      await pod.sleep(100);
      pod.writeTerminationLog('after=drop\n');
      pod.exit(0);
    };
    const outcome = await runtime.run(stepLaunch({ script: 'x' }), recordingHooks());
    expect(outcome.outputs).toEqual({ after: 'drop' });
    const watches = fake.requests.filter((r) => r.query.watch === 'true');
    expect(watches.length).toBeGreaterThanOrEqual(2);
    expect(watches[1]?.query.resourceVersion).toBeDefined();
  },
);

fakeScripted(
  'a new attempt deletes the pod of the attempt it supersedes',
  'a new attempt deletes the pod',
  async () => {
    const fake = target.fake!;
    fake.podBehavior = async (pod) => {
      pod.schedule();
      pod.start();
      if (pod.name.endsWith('-a1')) await pod.sleep(60_000);
      else pod.exit(0);
    };
    const first = stepLaunch({ script: 'x' });
    await core.createNamespacedPod({
      namespace: target.namespace,
      body: buildPod(first, { namespace: target.namespace, keepOnFailure: false }),
    });

    const outcome = await runtime.run({ ...first, attempt: 2 }, recordingHooks());

    expect(outcome.exitCode).toBe(0);
    expect(await podExists(first)).toBe(false);
  },
);

afterEach(() => {
  if (target.fake) target.fake.podBehavior = jest.requireActual('../../support/fake-kube').runScript;
});

/**
 * Faults that happen for real on the real node of `npm run test:k8s:real`: a memory limit the step
 * exceeds, the Eviction API, a stopped kubelet, connections to the API server cut under a watch
 * and a log stream, a pod left by an earlier try or an earlier attempt. Against the fake API
 * server the same faults are scripted (runtime.test.ts); elsewhere these are skipped.
 */
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { KubernetesRuntime } from '../../../activities/runtimes/kubernetes/kubernetes';
import { buildPod, podName } from '../../../activities/runtimes/kubernetes/pod-spec';
import type { StepLaunch } from '../../../activities/runtimes/runtime';
import { startKubelet, stopKubelet } from '../../../scripts/kube/node';
import { TcpProxy } from '../../support/tcp-proxy';
import {
  eventually,
  KUBE_DIR,
  realNode,
  recordingHooks,
  startTarget,
  stdout,
  stepLaunch,
  type KubeTarget,
} from './target';

const onNode = realNode ? test : test.skip;
if (!realNode) console.warn('fault tests skipped: they need the real node of npm run test:k8s:real');

jest.setTimeout(240_000);

let target: KubeTarget;
let core: CoreV1Api;

beforeAll(async () => {
  if (!realNode) return;
  target = await startTarget();
  core = target.kc.makeApiClient(CoreV1Api);
});
afterAll(() => target?.stop());

function runtimeFor(kc: KubeConfig): KubernetesRuntime {
  return new KubernetesRuntime({
    kubeConfig: kc,
    namespace: target.namespace,
    pendingTimeoutMs: 60_000,
    keepOnFailure: false,
    deleteGraceSeconds: 1,
    heartbeatMs: 100,
  });
}

async function podGone(launch: StepLaunch): Promise<boolean> {
  return core.readNamespacedPod({ name: podName(launch), namespace: target.namespace }).then(
    () => false,
    () => true,
  );
}

/** A kubeconfig that reaches the API server through `proxy`. */
function throughProxy(proxy: TcpProxy): KubeConfig {
  const cluster = target.kc.getCurrentCluster()!;
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ ...cluster, server: `https://127.0.0.1:${proxy.port}` }],
    users: target.kc.users,
    contexts: target.kc.contexts,
    currentContext: target.kc.currentContext,
  });
  return kc;
}

onNode('a step over its memory limit is OOM-killed and fails as "oom"', async () => {
  const launch = stepLaunch({
    script: 'echo allocating\nhead -c 1000000000 /dev/zero | tail -n 1 > /dev/null\necho never',
    pod: { resources: { limits: { memory: '48Mi' } } },
  });
  const hooks = recordingHooks();

  const outcome = await runtimeFor(target.kc).run(launch, hooks);

  expect(outcome.exitCode).toBe(137);
  expect(outcome.failure).toMatchObject({ kind: 'oom', retryable: true });
  // the lines before the kill, then at most the shell's own notice of it (the logs API merges stderr)
  const lines = stdout(hooks);
  expect(lines[0]).toBe('allocating');
  expect(lines.slice(1).filter((l) => l !== 'Killed')).toEqual([]);
  expect(await podGone(launch)).toBe(true);
});

onNode('a pod evicted through the Eviction API fails as retryable "evicted"', async () => {
  const launch = stepLaunch({ script: 'echo started\nsleep 120' });
  const hooks = recordingHooks();
  const running = runtimeFor(target.kc).run(launch, hooks);
  await hooks.lineSeen('started');

  const name = podName(launch);
  await core.createNamespacedPodEviction({
    name,
    namespace: target.namespace,
    body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: target.namespace } },
  });
  const outcome = await running;

  expect(outcome.failure).toMatchObject({ kind: 'evicted', retryable: true });
  expect(outcome.failure?.message).toMatch(/^evicted: .*Eviction API/);
});

// On this machine's real node the attempt was not reported lost within 240 s of stopping the kubelet
// (no taint eviction of its pod seen): skipped, with this reason printed, until that is understood.
const KUBELET_STOP_SKIPPED =
  "skipped on the real node: a stopped kubelet's pod was not reported lost within 240 s (issue 25)";
if (realNode) console.warn(KUBELET_STOP_SKIPPED);
test.skip('a node whose kubelet stopped loses the attempt as retryable "infrastructure"', async () => {
  const launch = stepLaunch({ script: 'echo started\nsleep 200' });
  const hooks = recordingHooks();
  const running = runtimeFor(target.kc).run(launch, hooks);
  await hooks.lineSeen('started');

  await stopKubelet(KUBE_DIR);
  try {
    const outcome = await running;
    expect(outcome.failure).toMatchObject({ kind: 'infrastructure', retryable: true });
    expect(outcome.failure?.message).toMatch(/^node lost: /);
  } finally {
    startKubelet(KUBE_DIR);
    await eventually(
      'the node to be Ready again',
      async () => {
        const node = await core.readNode({ name: process.env.CO_K8S_NODE_NAME ?? '' });
        const ready = node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
        return ready && !node.spec?.taints?.length;
      },
      120_000,
    );
  }
});

onNode(
  'a retried activity adopts the pod its attempt already created instead of creating another',
  async () => {
    const launch = stepLaunch({
      script: 'sleep 2\necho "from the ${TRY:-second} try"\necho "adopted=${TRY:-no}" >> "$CO_OUTPUTS"',
    });
    // the first try of this attempt created the pod (marked by its env), then its worker died
    const pod = buildPod(launch, { namespace: target.namespace, keepOnFailure: false });
    pod.spec!.containers[0]!.env!.push({ name: 'TRY', value: 'first' });
    await core.createNamespacedPod({ namespace: target.namespace, body: pod });
    const hooks = recordingHooks();

    const outcome = await runtimeFor(target.kc).run(launch, hooks);

    expect(outcome.outputs).toEqual({ adopted: 'first' });
    expect(stdout(hooks)).toEqual(['from the first try']);
  },
);

onNode('a new attempt deletes the pod of the attempt it supersedes', async () => {
  const first = stepLaunch({ script: 'sleep 120' });
  await core.createNamespacedPod({
    namespace: target.namespace,
    body: buildPod(first, { namespace: target.namespace, keepOnFailure: false }),
  });
  const second = { ...first, attempt: 2, script: 'echo second' };

  const outcome = await runtimeFor(target.kc).run(second, recordingHooks());

  expect(outcome.exitCode).toBe(0);
  await eventually('the first attempt pod to be gone', () => podGone(first));
});

describe('connections to the API server cut under a running step', () => {
  let proxy: TcpProxy;
  beforeAll(async () => {
    if (!realNode) return;
    const server = new URL(target.kc.getCurrentCluster()!.server);
    proxy = new TcpProxy('127.0.0.1', Number(server.port));
    await proxy.start();
  });
  afterAll(() => proxy?.stop());

  onNode('a killed log stream resumes with no line lost or repeated', async () => {
    const lines = Array.from({ length: 10 }, (_, i) => `line ${i + 1}`);
    const launch = stepLaunch({
      script: 'for i in 1 2 3 4 5 6 7 8 9 10; do echo "line $i"; sleep 0.4; done',
    });
    const hooks = recordingHooks();
    const running = runtimeFor(throughProxy(proxy)).run(launch, hooks);
    await hooks.lineSeen('line 4');

    proxy.cut();
    const outcome = await running;

    expect(outcome.exitCode).toBe(0);
    expect(stdout(hooks)).toEqual(lines);
  });

  onNode('a closed watch is re-established and the pod is still followed to completion', async () => {
    const launch = stepLaunch({ script: 'echo started\nsleep 3\necho "after=cut" >> "$CO_OUTPUTS"' });
    const hooks = recordingHooks();
    const running = runtimeFor(throughProxy(proxy)).run(launch, hooks);
    await hooks.lineSeen('started');

    proxy.cut();
    const outcome = await running;

    expect(outcome.failure).toBeUndefined();
    expect(outcome.outputs).toEqual({ after: 'cut' });
  });
});

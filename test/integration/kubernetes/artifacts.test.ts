import { randomBytes } from 'node:crypto';
import { CoreV1Api, type V1Container, type V1Pod } from '@kubernetes/client-node';
import { KubernetesRuntime } from '../../../activities/runtimes/kubernetes/kubernetes';
import {
  ARTIFACTS_IN,
  ARTIFACTS_OUT,
  CACHE_STATE_FILE,
  STEP_EXIT_FILE,
  TOKEN_KEY,
} from '../../../activities/runtimes/kubernetes/artifact-containers';
import { buildPod, podName } from '../../../activities/runtimes/kubernetes/pod-spec';
import type { PodArtifacts, StepLaunch } from '../../../activities/runtimes/runtime';
import {
  eventually,
  fakeOnly,
  kwok,
  kwokExit,
  realCluster,
  recordingHooks,
  startTarget,
  stdout,
  stepLaunch,
  type KubeTarget,
} from './target';

// Artifacts on the kubernetes runtime: an init container fetches `artifacts.in`, a second container
// uploads `artifacts.out` once the step container has ended, both with the run's token from the
// attempt's Secret. kwok runs no container, so on the real control plane the spec is what is checked
// (the API server accepts it, the Secret holds the token, the spec does not); the fake scripts the
// containers' ends to check how the runtime reads them.

jest.setTimeout(realCluster ? 180_000 : 20_000);

const TOOL_IMAGE = 'registry.example/containerops:test';

let target: KubeTarget;
let core: CoreV1Api;

beforeAll(async () => {
  target = await startTarget();
  core = target.kc.makeApiClient(CoreV1Api);
});
afterEach(() => {
  expect(target.fake?.rejected ?? []).toEqual([]);
  if (target.fake) target.fake.podBehavior = jest.requireActual('../../support/fake-kube').runScript;
});
afterAll(() => target.stop());

function runtime(options: { keepOnFailure?: boolean; annotations?: Record<string, string> } = {}) {
  return new KubernetesRuntime({
    kubeConfig: target.kc,
    namespace: target.namespace,
    pendingTimeoutMs: realCluster ? 20_000 : 2_000,
    keepOnFailure: options.keepOnFailure ?? false,
    deleteGraceSeconds: 1,
    heartbeatMs: 100,
    podAnnotations: options.annotations,
    toolImage: TOOL_IMAGE,
  });
}

function withArtifacts(overrides: Partial<StepLaunch> = {}): { launch: StepLaunch; token: string } {
  const token = `cods_${randomBytes(12).toString('hex')}.sig`;
  const podArtifacts: PodArtifacts = {
    runsUrl: 'http://containerops-api.containerops:8080/api/v1/projects/demo/runs',
    token,
    runIds: ['run-1', 'run-0'],
    in: [{ name: 'deps', from: 'install' }],
    out: [{ name: 'dist', path: 'dist' }],
    refs: [],
  };
  return { launch: stepLaunch({ script: 'mkdir -p dist\necho built', podArtifacts, ...overrides }), token };
}

const named = (containers: V1Container[] | undefined, name: string) =>
  containers?.find((c) => c.name === name);

function expectArtifactSpec(pod: V1Pod, launch: StepLaunch, token: string): void {
  const name = podName(launch);
  expect(JSON.stringify(pod)).not.toContain(token);
  const tokenEnv = {
    name: 'CO_DOCKYARD_TOKEN',
    valueFrom: { secretKeyRef: { name, key: TOKEN_KEY } },
  };
  const volumes = Object.fromEntries((pod.spec?.volumes ?? []).map((v) => [v.name, v]));
  expect(volumes.workspace?.emptyDir).toBeDefined();
  expect(volumes['co-handoff']?.emptyDir).toBeDefined();

  const fetch = named(pod.spec?.initContainers, ARTIFACTS_IN);
  expect(fetch?.image).toBe(TOOL_IMAGE);
  expect(fetch?.command).toEqual(['node', 'bin/co-artifacts.js', 'pull']);
  expect(fetch?.env).toContainEqual(tokenEnv);
  expect(fetch?.volumeMounts).toEqual([{ name: 'workspace', mountPath: '/workspace' }]);
  const orders = JSON.parse(fetch?.env?.find((e) => e.name === 'CO_ARTIFACTS')?.value ?? '{}');
  expect(orders).toMatchObject({
    runId: launch.runId,
    step: launch.stepId,
    attempt: 1,
    runIds: ['run-1', 'run-0'],
    in: [{ name: 'deps', from: 'install' }],
    out: [{ name: 'dist', path: 'dist' }],
  });

  const step = named(pod.spec?.containers, 'step');
  expect(step?.image).toBe(launch.image);
  expect(step?.workingDir).toBe('/workspace');
  expect(step?.volumeMounts).toEqual([
    { name: 'workspace', mountPath: '/workspace' },
    { name: 'co-handoff', mountPath: '/co-handoff' },
  ]);
  expect(step?.env).toContainEqual({ name: 'CO_STEP_EXIT_FILE', value: STEP_EXIT_FILE });
  expect(step?.env?.some((e) => e.name === 'CO_DOCKYARD_TOKEN')).toBe(false);
  // the step's own command runs unchanged under the wrapper that records its exit code
  expect(step?.command?.slice(0, 2)).toEqual(['sh', '-c']);
  expect(step?.command?.slice(3)).toEqual(['co-step', 'sh', '-e', '-c', launch.script]);

  const upload = named(pod.spec?.containers, ARTIFACTS_OUT);
  expect(upload?.image).toBe(TOOL_IMAGE);
  expect(upload?.command).toEqual(['node', 'bin/co-artifacts.js', 'push']);
  expect(upload?.env).toContainEqual(tokenEnv);
  expect(upload?.env).toContainEqual({ name: 'CO_STEP_EXIT_FILE', value: STEP_EXIT_FILE });
  expect(upload?.volumeMounts).toEqual([
    { name: 'workspace', mountPath: '/workspace' },
    { name: 'co-handoff', mountPath: '/co-handoff' },
  ]);
}

test('a step with artifacts gets an init container that fetches, an uploader, the workspace volume and its token from the Secret only', () => {
  const { launch, token } = withArtifacts();
  const pod = buildPod(launch, { namespace: 'ci', keepOnFailure: false, toolImage: TOOL_IMAGE });
  expectArtifactSpec(pod, launch, token);
});

test('a step with only artifacts.in gets no uploader and keeps its command', () => {
  const { launch } = withArtifacts();
  const inOnly = { ...launch, podArtifacts: { ...launch.podArtifacts!, out: [] } };
  const pod = buildPod(inOnly, { namespace: 'ci', keepOnFailure: false, toolImage: TOOL_IMAGE });
  expect(pod.spec?.initContainers?.map((c) => c.name)).toEqual([ARTIFACTS_IN]);
  expect(pod.spec?.containers.map((c) => c.name)).toEqual(['step']);
  expect(pod.spec?.containers[0]?.command).toEqual(['sh', '-e', '-c', launch.script]);
  expect(pod.spec?.volumes?.map((v) => v.name)).toEqual(['workspace']);
});

test('a step with cache: and no artifacts gets both tool containers; only they mount the cache state', () => {
  const { launch, token } = withArtifacts();
  const cache = {
    key: 'deps-${CO_HASH_1}',
    restoreKeys: ['deps-'],
    paths: ['deps'],
    hashFiles: { CO_HASH_1: ['**/package-lock.json'] },
  };
  const cached = { ...launch, podArtifacts: { ...launch.podArtifacts!, in: [], out: [], cache } };
  const pod = buildPod(cached, { namespace: 'ci', keepOnFailure: false, toolImage: TOOL_IMAGE });
  expect(JSON.stringify(pod)).not.toContain(token);
  expect(pod.spec?.volumes?.map((v) => v.name)).toEqual(['workspace', 'co-handoff', 'co-cache']);
  const stateMount = { name: 'co-cache', mountPath: '/co-cache' };
  const stateEnv = { name: 'CO_CACHE_STATE_FILE', value: CACHE_STATE_FILE };
  for (const tool of [
    named(pod.spec?.initContainers, ARTIFACTS_IN),
    named(pod.spec?.containers, ARTIFACTS_OUT),
  ]) {
    expect(tool?.volumeMounts).toContainEqual(stateMount);
    expect(tool?.env).toContainEqual(stateEnv);
    const orders = JSON.parse(tool?.env?.find((e) => e.name === 'CO_ARTIFACTS')?.value ?? '{}');
    expect(orders.cache).toEqual(cache);
  }
  const step = named(pod.spec?.containers, 'step');
  expect(step?.volumeMounts).not.toContainEqual(stateMount);
  // the step's exit code reaches the uploader, which saves only after a success
  expect(step?.command?.slice(3)).toEqual(['co-step', 'sh', '-e', '-c', launch.script]);
});

test("cache: with the image's own entrypoint is refused as invalid, naming the step", async () => {
  const { launch } = withArtifacts({ script: undefined });
  const cache = { key: 'k', restoreKeys: [], paths: ['deps'], hashFiles: {} };
  const cached = { ...launch, podArtifacts: { ...launch.podArtifacts!, in: [], out: [], cache } };
  const outcome = await runtime().run(cached, recordingHooks());
  expect(outcome.failure).toMatchObject({ kind: 'invalid', retryable: false });
  expect(outcome.failure?.message).toMatch(/step build has cache:.*run: script or a command/);
});

test('the API server accepts a pod that moves a cache', async () => {
  const { launch } = withArtifacts({ script: 'exit 1' });
  const cache = { key: 'k', restoreKeys: [], paths: ['deps'], hashFiles: {} };
  const cached = { ...launch, podArtifacts: { ...launch.podArtifacts!, cache } };
  const outcome = await runtime({ keepOnFailure: true, annotations: kwokExit(1) }).run(
    cached,
    recordingHooks(),
  );
  expect(outcome.failure?.kind).toBe(realCluster && !kwok ? 'image' : 'exit');
  const name = podName(cached);
  const pod = await core.readNamespacedPod({ name, namespace: target.namespace });
  expect(pod.spec?.volumes?.map((v) => v.name)).toContain('co-cache');
  await core.deleteNamespacedPod({ name, namespace: target.namespace, gracePeriodSeconds: 0 });
});

test('a step without artifacts gets neither extra containers nor volumes', () => {
  const pod = buildPod(stepLaunch({ script: 'true' }), { namespace: 'ci', keepOnFailure: false });
  expect(pod.spec?.initContainers).toBeUndefined();
  expect(pod.spec?.volumes).toBeUndefined();
  expect(pod.spec?.containers.map((c) => c.name)).toEqual(['step']);
});

test("artifacts.out with the image's own entrypoint is refused as invalid, naming the step", async () => {
  const { launch } = withArtifacts({ script: undefined });
  const outcome = await runtime().run(launch, recordingHooks());
  expect(outcome.failure).toMatchObject({ kind: 'invalid', retryable: false });
  expect(outcome.failure?.message).toMatch(/step build has artifacts.out.*run: script or a command/);
});

test('the API server accepts the pod; the token is in the attempt Secret, owned by the pod, and nowhere in the spec', async () => {
  const { launch, token } = withArtifacts({ script: 'exit 1' });
  const hooks = recordingHooks();

  const outcome = await runtime({ keepOnFailure: true, annotations: kwokExit(1) }).run(launch, hooks);

  // a cluster that runs containers cannot pull the made-up tool image: the pod is kept all the same
  expect(outcome.failure?.kind).toBe(realCluster && !kwok ? 'image' : 'exit');
  const name = podName(launch);
  const pod = await core.readNamespacedPod({ name, namespace: target.namespace });
  expectArtifactSpec(pod, launch, token);
  const secret = await core.readNamespacedSecret({ name, namespace: target.namespace });
  expect(Buffer.from(secret.data?.[TOKEN_KEY] ?? '', 'base64').toString('utf8')).toBe(token);
  expect(secret.metadata?.ownerReferences).toEqual([
    expect.objectContaining({ kind: 'Pod', name, uid: pod.metadata?.uid }),
  ]);
  await core.deleteNamespacedPod({ name, namespace: target.namespace, gracePeriodSeconds: 0 });
  if (realCluster)
    await eventually('the Secret to be collected with its pod', async () =>
      core.readNamespacedSecret({ name, namespace: target.namespace }).then(
        () => false,
        () => true,
      ),
    );
});

// the fake scripts the containers' ends below; a cluster that runs containers would need the tool image
(kwok ? test : test.skip)(
  'under kwok a step with artifacts that exits 0 succeeds once every container has ended',
  async () => {
    const { launch } = withArtifacts();
    const outcome = await runtime({ annotations: kwokExit(0) }).run(launch, recordingHooks());
    expect(outcome.failure).toBeUndefined();
    expect(outcome.exitCode).toBe(0);
  },
);

fakeOnly(
  'the step succeeds only once the uploader has ended, and the tools report into the step log',
  async () => {
    let uploaded = false;
    target.fake!.podBehavior = async (pod) => {
      pod.schedule();
      pod.initExit(
        ARTIFACTS_IN,
        0,
        '[containerops] artifact deps (from install) unpacked into the workspace\n',
      );
      pod.start();
      pod.log('built');
      pod.writeTerminationLog('size=3\n');
      pod.exit(0);
      await pod.sleep(300);
      uploaded = true;
      pod.containerExit(
        ARTIFACTS_OUT,
        0,
        '[containerops] artifact dist (dist) stored: 10 bytes, sha256:ab\n',
      );
    };
    const hooks = recordingHooks();
    const { launch } = withArtifacts();

    const outcome = await runtime().run(launch, hooks);

    expect(uploaded).toBe(true);
    expect(outcome.failure).toBeUndefined();
    expect(outcome.outputs).toEqual({ size: '3' });
    expect(stdout(hooks)).toEqual([
      'built',
      '[containerops] artifact deps (from install) unpacked into the workspace',
      '[containerops] artifact dist (dist) stored: 10 bytes, sha256:ab',
    ]);
  },
);

fakeOnly('an artifact the uploader refuses fails the step as non-retryable "invalid"', async () => {
  target.fake!.podBehavior = async (pod) => {
    pod.schedule();
    pod.initExit(ARTIFACTS_IN, 0);
    pod.start();
    pod.exit(0);
    pod.containerExit(ARTIFACTS_OUT, 2, 'artifact path dist resolves out of the workspace\n');
  };
  const outcome = await runtime().run(withArtifacts().launch, recordingHooks());
  expect(outcome.exitCode).toBe(0);
  expect(outcome.failure).toEqual({
    kind: 'invalid',
    message: 'dockyard: artifact path dist resolves out of the workspace',
    retryable: false,
  });
});

fakeOnly(
  'a fetch that fails for want of dockyard fails the attempt as retryable "infrastructure"',
  async () => {
    target.fake!.podBehavior = async (pod) => {
      pod.schedule();
      pod.initExit(ARTIFACTS_IN, 1, 'fetch failed: connect ECONNREFUSED 10.0.0.1:8080\n');
    };
    const outcome = await runtime().run(withArtifacts().launch, recordingHooks());
    expect(outcome.failure).toMatchObject({ kind: 'infrastructure', retryable: true });
    expect(outcome.failure?.message).toBe(
      'dockyard: fetching artifacts.in failed (exit 1): fetch failed: connect ECONNREFUSED 10.0.0.1:8080',
    );
  },
);

fakeOnly('a step that fails does not wait for the uploader', async () => {
  target.fake!.podBehavior = async (pod) => {
    pod.schedule();
    pod.initExit(ARTIFACTS_IN, 0);
    pod.start();
    pod.exit(3);
    // the uploader, told the exit code, would end at once; here it never does
  };
  const outcome = await runtime().run(withArtifacts().launch, recordingHooks());
  expect(outcome.failure).toMatchObject({ kind: 'exit', retryable: true });
  expect(outcome.exitCode).toBe(3);
});

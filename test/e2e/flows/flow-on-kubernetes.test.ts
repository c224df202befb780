import { FakeKube, type PodControl } from '../../support/fake-kube';
import { startStack, type Stack } from '../../support/stack';
import { createPipeline, createProject, step, trigger, waitForRun } from '../../support/runs';

// A 2017-dialect flow runs its component images as pods (the fake API server plays the kubelet):
// CO_DATA and environments reach the pod, [COUT] outputs travel through a subscription, and a
// component that prints CO_RESULT = false and exits 0 fails its job.

interface SeenPod {
  image: string;
  env: Record<string, string>;
  requests: Record<string, string> | undefined;
}

let fake: FakeKube;
let stack: Stack;
let project: string;
const seen: SeenPod[] = [];

/** The original cncf-demo components, as far as the flow can tell: [COUT] lines, exit 0 always. */
async function originalComponent(pod: PodControl): Promise<void> {
  const container = pod.container;
  const env = Object.fromEntries((container.env ?? []).map((e: any) => [e.name, e.value ?? '']));
  seen.push({ image: container.image, env, requests: container.resources?.requests });
  pod.schedule();
  pod.start();
  if (container.image.includes('coredns')) {
    pod.log(
      `[COUT] action ${env.CO_DATA}`,
      '[COUT] CO_COREDNS_URI = https://hub.example.org/coredns',
      '[COUT] CO_RESULT = true',
    );
  } else {
    pod.log('[COUT] bazel build failed', '[COUT] CO_RESULT = false');
  }
  pod.exit(0);
}

beforeAll(async () => {
  fake = await new FakeKube().start();
  fake.podBehavior = originalComponent;
  stack = await startStack({ kubeConfig: fake.kubeConfig() });
  project = await createProject(stack);
});
afterAll(async () => {
  await stack?.stop();
  await fake?.stop();
});

const FLOW = `name: cncf/demo-for-cncf-ci/65 # <namespace>/<flow>/<run-number>
title: Demo For Cloud Native Computing Foundation CI Working Group
timeout: 0
environments:
  - RELEASE: hub.example.org/cncf/demo
stages:
  -
    type: start
    name: start
  -
    type: normal
    name: coredns-test-build-release
    sequencing: sequence
    actions:
      -
        name: release-coredns
        jobs:
          -
            type: component
            endpoint: hub.example.org/containerops/cncf-demo-coredns:latest
            resources:
              cpu: 2
              memory: 4G
            timeout: 0
            environments:
              - CO_DATA: "coredns=https://github.com/coredns/coredns.git action=release"
            output: ["CO_COREDNS_URI"]
            status: running #pending/running/failure/successfully
      -
  -
    type: normal
    name: k8s-test-build-release
    actions:
      -
        name: build-kubernetes
        jobs:
          -
            type: component
            endpoint: hub.example.org/containerops/cncf-demo-kubernetes:latest
            environments:
              - CO_DATA: "action=build"
              - RELEASE: override
            subscriptions:
              - release-coredns[CO_COREDNS_URI]: CO_COREDNS_URI
  -
    type: end
    name: end
`;

it('runs a 2017 flow as pods: CO_DATA in, [COUT] out through a subscription, CO_RESULT = false fails', async () => {
  await createPipeline(stack, project, FLOW);
  const run = await waitForRun(stack, project, (await trigger(stack, project, 'demo-for-cncf-ci')).id);
  expect(run.status).toBe('failed');

  const coredns = step(run, 'coredns-test-build-release-release-coredns-0');
  expect(coredns.status).toBe('succeeded');
  expect(coredns.outputs).toEqual({ CO_COREDNS_URI: 'https://hub.example.org/coredns', CO_RESULT: 'true' });
  const kubernetes = step(run, 'k8s-test-build-release-build-kubernetes-0');
  expect(kubernetes).toMatchObject({ status: 'failed', exitCode: 0 });
  expect(kubernetes.error).toBe('the component reported [COUT] CO_RESULT = false (exit code 0)');

  expect(seen.map((p) => p.image)).toEqual([
    'hub.example.org/containerops/cncf-demo-coredns:latest',
    'hub.example.org/containerops/cncf-demo-kubernetes:latest',
  ]);
  expect(seen[0]!.env).toMatchObject({
    CO_DATA: 'coredns=https://github.com/coredns/coredns.git action=release',
    RELEASE: 'hub.example.org/cncf/demo',
  });
  expect(seen[0]!.requests).toEqual({ cpu: '2', memory: '4G' });
  expect(seen[1]!.env).toMatchObject({
    CO_DATA: 'action=build',
    RELEASE: 'override',
    CO_COREDNS_URI: 'https://hub.example.org/coredns',
  });
});

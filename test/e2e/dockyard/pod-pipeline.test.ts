import { loadKubeConfig } from '../../../activities/runtimes/kubernetes/kubernetes';
import { FakeKube, runProcesses } from '../../support/fake-kube';
import { createPipeline, createProject, step, trigger, waitForRun } from '../../support/runs';
import { startStack, type Stack } from '../../support/stack';

// Three pod steps: the first passes a 5 MB output (stored by its uploader: a termination message
// holds 4 KiB) and a directory artifact to the third; a failing step's exit code and last log lines
// show in its run. On the real node of `npm run test:k8s:real` (CO_K8S_NODE=real) the pods run there,
// the API listens on the node IP so the pods' artifact tool reaches dockyard; elsewhere the fake API
// server's kubelet runs each container as a host process.

const realNode = process.env.CO_K8S_NODE === 'real' && !!process.env.KUBECONFIG;
const IMAGE = realNode ? process.env.CO_K8S_TEST_IMAGE! : 'busybox:1.36';

let fake: FakeKube | undefined;
let stack: Stack;
let project: string;

beforeAll(async () => {
  let kubeConfig;
  const config: Record<string, string> = { CO_K8S_NAMESPACE: 'default' };
  if (realNode) {
    kubeConfig = loadKubeConfig();
    config.HOST = process.env.CO_K8S_NODE_IP!;
    config.CO_K8S_TOOL_IMAGE = process.env.CO_K8S_TEST_TOOL_IMAGE!;
  } else {
    fake = await new FakeKube().start();
    fake.podBehavior = runProcesses;
    kubeConfig = fake.kubeConfig();
  }
  stack = await startStack({ kubeConfig, config });
  project = await createProject(stack);
}, 180_000);
afterAll(async () => {
  await stack?.stop();
  await fake?.stop();
});

const pod = `    runtime: kubernetes
    image: ${IMAGE}`;

test('three pod steps: a 5 MB output and a directory artifact pass from the first to the third', async () => {
  await createPipeline(
    stack,
    project,
    `apiVersion: containerops/v1
kind: Pipeline
name: three-pods
steps:
  - id: build
${pod}
    run: |
      mkdir -p dist/sub
      echo "hello from build" > dist/sub/hello.txt
      head -c 3900000 /dev/urandom | base64 -w0 > big.txt
      { echo "big<<EOF_BIG"; cat big.txt; echo; echo "EOF_BIG"; } >> "$CO_OUTPUTS"
      echo "sum=$(sha256sum big.txt | cut -d' ' -f1)" >> "$CO_OUTPUTS"
    artifacts:
      out: [ { name: dist, path: dist } ]
  - id: middle
    needs: [build]
${pod}
    run: echo "middle ran"
  - id: check
    needs: [build, middle]
${pod}
    run: |
      test "$(cat dist/sub/hello.txt)" = "hello from build"
      echo "sum=$(printf '%s' "\${{ steps.build.outputs.big }}" | sha256sum | cut -d' ' -f1)" >> "$CO_OUTPUTS"
    artifacts:
      in: [ { name: dist, from: build } ]
`,
  );
  const run = await waitForRun(stack, project, (await trigger(stack, project, 'three-pods')).id);
  expect(run.steps.map((s) => [s.id, s.status, s.error])).toEqual([
    ['build', 'succeeded', null],
    ['middle', 'succeeded', null],
    ['check', 'succeeded', null],
  ]);
  const built = step(run, 'build').outputs as unknown as Record<string, unknown>;
  expect((built.big as { ref: string }).ref).toMatch(/^dockyard-ref:.*\?size=5200000&/);
  expect(step(run, 'check').outputs.sum).toBe(built.sum);
}, 600_000);

test("a failing pod step's exit code and last log lines show in the run", async () => {
  await createPipeline(
    stack,
    project,
    `apiVersion: containerops/v1
kind: Pipeline
name: failing-pod
steps:
  - id: broken
${pod}
    run: |
      echo "preparing"
      echo "last words before failing"
      exit 7
`,
  );
  const run = await waitForRun(stack, project, (await trigger(stack, project, 'failing-pod')).id);
  expect(run.status).toBe('failed');
  expect(step(run, 'broken')).toMatchObject({ status: 'failed', exitCode: 7 });
  expect(step(run, 'broken').error).toMatch(/exit code 7/);
  const logs = await stack.request('GET', `/api/v1/projects/${project}/runs/${run.id}/steps/broken/logs`);
  expect(await logs.text()).toMatch(/preparing[\s\S]*last words before failing/);
}, 300_000);

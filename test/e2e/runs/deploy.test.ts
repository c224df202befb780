import { FakeKube } from '../../support/fake-kube';
import { defaultRollout } from '../../support/fake-kube/apps';
import { startStack, type Stack } from '../../support/stack';
import { createPipeline, createProject, eventually, step, trigger, waitForRun } from '../../support/runs';

// A pipeline's kubernetes-deploy step runs the deployment workflow against a fake API server
// (the real-cluster suite is `npm run test:k8s` with KUBECONFIG set).
let fake: FakeKube;
let stack: Stack;
let project: string;

beforeAll(async () => {
  fake = await new FakeKube().start();
  stack = await startStack({ kubeConfig: fake.kubeConfig() });
  project = await createProject(stack);
  await createPipeline(
    stack,
    project,
    `apiVersion: containerops/v1
kind: Pipeline
name: ship
params:
  - { name: tag, default: "1.0.0" }
steps:
  - id: build
    run: echo "image=registry.example.org/web:\${{ params.tag }}" >> "$CO_OUTPUTS"
  - id: deploy
    needs: [build]
    uses: kubernetes-deploy@1
    with:
      namespace: default
      timeout: 30s
      manifests: |
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: web }
        spec:
          selector: { matchLabels: { app: web } }
          template:
            metadata: { labels: { app: web } }
            spec:
              containers:
                - name: web
                  image: \${{ steps.build.outputs.image }}
`,
  );
});
afterAll(async () => {
  await stack?.stop();
  await fake?.stop();
});

it('deploys the built image and reports what it applied', async () => {
  const run = await waitForRun(stack, project, (await trigger(stack, project, 'ship', { tag: '1.0.0' })).id);
  expect(run.status).toBe('succeeded');
  expect(step(run, 'deploy')).toMatchObject({ status: 'succeeded', outputs: { applied: 'Deployment/web' } });
});

it('a rollout that fails is rolled back and fails the step with the reason', async () => {
  const run = await waitForRun(
    stack,
    project,
    (await trigger(stack, project, 'ship', { tag: 'does-not-exist' })).id,
  );
  expect(run.status).toBe('failed');
  const deploy = step(run, 'deploy');
  expect(deploy.status).toBe('failed');
  expect(deploy.error).toMatch(/rolled back web to revision 1/);
});

it('an operator pauses, inspects and aborts a hanging rollout over HTTP, and the step fails with the reason', async () => {
  fake.rolloutBehavior = (deployment) =>
    String(deployment.spec.template.spec.containers[0].image).endsWith(':hang') ? 'hang' : 'succeed';
  try {
    const started = await trigger(stack, project, 'ship', { tag: 'hang' });
    const path = `/api/v1/projects/${project}/runs/${started.id}/steps/deploy/deployment`;
    await eventually(async () => {
      const res = await stack.request('GET', path);
      return res.status === 200 && ((await res.json()) as { phase: string }).phase === 'rolling-out'
        ? true
        : undefined;
    }, 'the rollout to start');
    const paused = await stack.request('POST', path, { action: 'pause' });
    expect(paused.status).toBe(200);
    expect(await paused.json()).toMatchObject({ paused: true });
    expect((await stack.request('POST', path, { action: 'explode' })).status).toBe(422);
    const aborted = await stack.request('POST', path, { action: 'abort', reason: 'wrong build' });
    expect(aborted.status).toBe(200);
    const run = await waitForRun(stack, project, started.id);
    expect(run.status).toBe('failed');
    expect(step(run, 'deploy').error).toContain('wrong build');
    expect((await stack.request('POST', path, { action: 'resume' })).status).toBe(409);
    expect(
      (await stack.request('GET', `/api/v1/projects/${project}/runs/${started.id}/steps/build/deployment`))
        .status,
    ).toBe(422);
  } finally {
    fake.rolloutBehavior = defaultRollout;
  }
});

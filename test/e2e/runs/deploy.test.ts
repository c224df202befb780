import { FakeKube } from '../../support/fake-kube';
import { startStack, type Stack } from '../../support/stack';
import { createPipeline, createProject, step, trigger, waitForRun } from '../../support/runs';

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

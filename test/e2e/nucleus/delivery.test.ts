import { FakeRuntime } from '../../support/fake-runtime';
import { startStack, type Stack } from '../../support/stack';
import { createPipeline, createProject, step, trigger, waitForRun } from '../../support/runs';

// Workflow-level delivery of component inputs, seen from the runtime's side (the fake runtime
// records every launch): what reaches a pod spec in clear, and what only travels as secret env.
let stack: Stack;
let project: string;
const fake = new FakeRuntime();

beforeAll(async () => {
  stack = await startStack({ runtimes: { local: fake } });
  project = await createProject(stack);
});
afterAll(async () => {
  await stack?.stop();
});

it('delivers inputs as INPUT_* and CO_DATA, keeps secret inputs out of the plain env, and passes outputs on', async () => {
  const published = await stack.request(
    'POST',
    '/api/v1/components',
    `apiVersion: containerops/v1
kind: Component
name: fake-greeter
version: 1.0.0
image: example.org/fake-greeter:1.0.0
run: |
  echo "hello $INPUT_NAME"
  echo "greeting=hi-$INPUT_NAME" >> "$CO_OUTPUTS"
env: { GREETER_MODE: loud }
inputs:
  - { name: name, required: true }
  - { name: api-key, secret: true }
  - { name: level, type: enum, values: [low, high], default: low }
timeout: 5m
`,
  );
  expect(published.status).toBe(201);
  await createPipeline(
    stack,
    project,
    `apiVersion: containerops/v1
kind: Pipeline
name: delivery
params:
  - { name: who, default: ops }
steps:
  - id: greet
    uses: fake-greeter@1
    with: { name: '\${{ params.who }}', api-key: key-7f3a9c1e }
  - id: after
    needs: [greet]
    run: echo "got \${{ steps.greet.outputs.greeting }}"
`,
  );
  const run = await waitForRun(stack, project, (await trigger(stack, project, 'delivery')).id);
  expect(run.status).toBe('succeeded');
  expect(step(run, 'greet').outputs).toEqual({ greeting: 'hi-ops' });

  const greet = fake.launches.find((l) => l.stepId === 'greet')!;
  expect(greet).toMatchObject({
    image: 'example.org/fake-greeter:1.0.0',
    component: 'fake-greeter',
    timeoutMs: 5 * 60_000,
    env: expect.objectContaining({ INPUT_NAME: 'ops', INPUT_LEVEL: 'low', GREETER_MODE: 'loud' }),
    secretEnv: { INPUT_API_KEY: 'key-7f3a9c1e', CO_DATA: 'name=ops api-key=key-7f3a9c1e level=low' },
  });
  expect(JSON.stringify(greet.env)).not.toContain('key-7f3a9c1e');
  const after = fake.launches.find((l) => l.stepId === 'after')!;
  expect(Object.values(after.env)).toContain('hi-ops');
});

import { startStack, type Stack } from '../../support/stack';
import {
  createPipeline,
  createProject,
  eventually,
  trigger,
  waitForRun,
  type RunView,
} from '../../support/runs';

const BUILD = `apiVersion: containerops/v1
kind: Pipeline
name: build
steps:
  - id: compile
    run: echo "version=1.4.\${{ run.number }}" >> "$CO_OUTPUTS"
`;
const DEPLOY = `apiVersion: containerops/v1
kind: Pipeline
name: deploy
on:
  pipeline: [ { name: build, status: [succeeded] } ]
steps:
  - id: ship
    run: |
      echo "version=\${{ trigger.run.outputs.compile.version }}" >> "$CO_OUTPUTS"
      echo "from=\${{ trigger.run.pipeline }}#\${{ trigger.run.number }} \${{ trigger.run.status }}" >> "$CO_OUTPUTS"
`;

let stack: Stack;
let project: string;

beforeAll(async () => {
  stack = await startStack();
  project = await createProject(stack);
  await createPipeline(stack, project, BUILD);
  await createPipeline(stack, project, DEPLOY);
});
afterAll(async () => {
  await stack.stop();
});

async function runsOf(pipeline: string): Promise<(RunView & { trigger: string })[]> {
  const res = await stack.request('GET', `/api/v1/projects/${project}/runs?pipeline=${pipeline}`);
  return ((await res.json()) as { items: (RunView & { trigger: string })[] }).items;
}

describe('upstream pipelines', () => {
  it('starts the downstream pipeline when the upstream run succeeds, with trigger.run in its context', async () => {
    const upstream = await trigger(stack, project, 'build');
    expect((await waitForRun(stack, project, upstream.id)).status).toBe('succeeded');
    const [downstream] = await eventually(async () => {
      const runs = await runsOf('deploy');
      return runs.length > 0 ? runs : undefined;
    }, 'the downstream run');
    expect(downstream!.trigger).toBe('pipeline');
    const done = await waitForRun(stack, project, downstream!.id);
    expect(done.status).toBe('succeeded');
    expect(done.steps[0]!.outputs).toEqual({
      version: `1.4.${upstream.number}`,
      from: `build#${upstream.number} succeeded`,
    });
  });

  it('refuses, with its line, a version that would close a loop of pipeline triggers', async () => {
    const looping = BUILD.replace('steps:', 'on:\n  pipeline: [ { name: deploy } ]\nsteps:');
    const res = await stack.request('PUT', `/api/v1/projects/${project}/pipelines/build`, looping);
    expect(res.status).toBe(422);
    const body = (await res.json()) as { errors: { path: string; line: number; message: string }[] };
    expect(body.errors).toEqual([
      {
        path: 'on.pipeline[0].name',
        line: 5,
        message: expect.stringContaining('trigger loop: build <- deploy <- build'),
      },
    ]);
  });
});

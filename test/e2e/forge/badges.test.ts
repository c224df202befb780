import { startStack, type Stack } from '../../support/stack';
import { createPipeline, createProject, trigger, waitForRun } from '../../support/runs';

const PIPELINE = `apiVersion: containerops/v1
kind: Pipeline
name: build
params:
  - name: code
    default: "0"
steps:
  - id: check
    run: exit \${{ params.code }}
`;

let stack: Stack;
let project: string;

beforeAll(async () => {
  stack = await startStack();
  project = await createProject(stack);
  await createPipeline(stack, project, PIPELINE);
});
afterAll(async () => {
  await stack.stop();
});

const badge = (query = '') => fetch(`${stack.url}/badge/${project}/build.svg${query}`);

describe('status badges', () => {
  it('are 404 until the project allows them, for a pipeline that exists or not', async () => {
    expect((await badge()).status).toBe(404);
    expect((await fetch(`${stack.url}/badge/${project}/nope.svg`)).status).toBe(404);
  });

  it('show the last finished run once allowed: no runs, passing, then failing', async () => {
    const put = await stack.request('PUT', `/api/v1/projects/${project}/badges`, { public: true });
    expect(put.status).toBe(200);
    const none = await badge();
    expect(none.status).toBe(200);
    expect(none.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    expect(await none.text()).toContain('aria-label="build: no runs"');

    await waitForRun(stack, project, (await trigger(stack, project, 'build')).id);
    expect(await (await badge()).text()).toContain('aria-label="build: passing"');
    await waitForRun(stack, project, (await trigger(stack, project, 'build', { code: '2' })).id);
    expect(await (await badge()).text()).toContain('aria-label="build: failing"');
    // runs started through the API have no branch: a branch's badge has none yet
    expect(await (await badge('?branch=main')).text()).toContain('aria-label="build: no runs"');

    await stack.request('PUT', `/api/v1/projects/${project}/badges`, { public: false });
    expect((await badge()).status).toBe(404);
  });
});

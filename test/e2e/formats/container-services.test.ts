import { execFileSync } from 'node:child_process';
import { LABELS } from '../../../activities/runtimes/container/labels';
import { GLOBAL_FLAGS } from '../../../activities/runtimes/container/podman';
import { testImage } from '../../support/container-image';
import { echoServiceImage } from '../../support/echo-service-image';
import { createProject, step, trigger, waitForRun } from '../../support/runs';
import { startStack, type Stack } from '../../support/stack';

/**
 * GitHub `container:` and `services:`, GitLab `services:`, saved through the API and run on the
 * container runtime (podman + runc). The images are built here from the Debian base image.
 */
jest.setTimeout(300_000);

let stack: Stack;
let project: string;
let echo: string;

beforeAll(async () => {
  echo = echoServiceImage(await testImage());
  stack = await startStack();
  project = await createProject(stack);
});
afterAll(async () => {
  await stack?.stop();
});

async function save(source: string, path: string, name: string): Promise<void> {
  const res = await stack.request(
    'POST',
    `/api/v1/projects/${project}/pipelines?path=${encodeURIComponent(path)}&name=${name}`,
    { source },
  );
  if (res.status !== 201) throw new Error(`save: ${res.status} ${await res.text()}`);
}

async function logsOf(runId: string, stepId: string): Promise<string[]> {
  const res = await stack.request('GET', `/api/v1/projects/${project}/runs/${runId}/steps/${stepId}/logs`);
  return (await res.text()).split('\n');
}

const leftContainers = (runId: string) =>
  execFileSync('podman', [...GLOBAL_FLAGS, 'ps', '-aq', '--filter', `label=${LABELS.run}=${runId}`], {
    encoding: 'utf8',
  }).trim();

test('a GitHub job with container: runs inside that image, and reaches its services by their keys', async () => {
  await save(
    `name: In a container
on: workflow_dispatch
jobs:
  probe:
    runs-on: ubuntu-latest
    container: ${echo}
    services:
      web:
        image: ${echo}
        env: { GREETING: hello-from-the-service }
        ports: ["18080:8080"]
    steps:
      - run: |
          test -f /srv/echo.pl && echo "inside the job image"
          test -f /run/.containerenv && echo "in a podman container"
          curl -sf http://web:8080/
`,
    '.github/workflows/container.yml',
    'in-a-container',
  );
  const run = await waitForRun(stack, project, (await trigger(stack, project, 'in-a-container')).id, 240_000);
  expect(step(run, 'probe').status).toBe('succeeded');
  expect(await logsOf(run.id, 'probe')).toEqual(
    expect.arrayContaining([
      'inside the job image',
      'in a podman container',
      'hello-from-the-service from echo',
    ]),
  );
  expect(leftContainers(run.id)).toBe('');
});

test('a GitLab job reaches its service by alias and by the name derived from its image', async () => {
  await save(
    `image: ${await testImage()}
test:
  services:
    - name: ${echo}
      alias: api
      variables: { GREETING: by-alias }
    - ${echo}
  script:
    - curl -sf http://api:8080/
    - curl -sf http://localhost-containerops-test-echo:8080/
`,
    '.gitlab-ci.yml',
    'gl-services',
  );
  const run = await waitForRun(stack, project, (await trigger(stack, project, 'gl-services')).id, 240_000);
  expect(step(run, 'test').status).toBe('succeeded');
  expect(await logsOf(run.id, 'test')).toEqual(
    expect.arrayContaining(['by-alias from echo', 'unset from echo']),
  );
  expect(leftContainers(run.id)).toBe('');
});

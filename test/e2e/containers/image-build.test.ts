import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startStack, ADMIN_TOKEN, type Stack } from '../../support/stack';
import { createPipeline, createProject, step, trigger, waitForRun } from '../../support/runs';
import { pushPlatformImages, untagStackImages } from '../../support/platform-images';

/**
 * Assembling on one machine: a step on the container runtime writes a Dockerfile FROM the
 * platform base in this stack's dockyard, image-build builds it with buildah on the host and
 * pushes it with the credentials of an oci-registry service; skopeo sees the digest it reported.
 */
jest.setTimeout(600_000);

let stack: Stack;
let project: string;

beforeAll(async () => {
  stack = await startStack({ worker: false, config: { CO_RUNTIME: 'container' } });
  const dockyard = await pushPlatformImages(stack);
  stack.config.CO_CONTAINER_AUTHFILE = dockyard.authfile;
  await stack.startWorker();
  project = await createProject(stack);
  const service = await stack.request('POST', `/api/v1/projects/${project}/services`, {
    name: 'dockyard',
    type: 'oci-registry',
    url: stack.url,
    credentials: { token: ADMIN_TOKEN },
  });
  expect(service.status).toBe(201);
});
afterAll(async () => {
  if (stack) untagStackImages(stack);
  await stack?.stop();
});

function pipeline(host: string): string {
  return `apiVersion: containerops/v1
kind: Pipeline
name: assemble
steps:
  - id: write
    image: ${host}/containerops/base:bookworm
    run: |
      mkdir -p app
      echo 'hello from the workspace' > app/greeting.txt
      printf 'FROM ${host}/containerops/base:bookworm\\nCOPY greeting.txt /greeting.txt\\nRUN test -s /greeting.txt\\n' > app/Dockerfile
  - id: build
    needs: [write]
    uses: image-build@1.1
    services: [dockyard]
    with:
      destination: ${host}/${project}/hello:1
      context: app
      tls-verify: false
`;
}

test('image-build builds a Dockerfile from the workspace with buildah and pushes it to dockyard', async () => {
  const host = new URL(stack.url).host;
  await createPipeline(stack, project, pipeline(host));
  const started = await trigger(stack, project, 'assemble');
  const run = await waitForRun(stack, project, started.id, 300_000);
  const failed = run.steps.filter((s) => s.status === 'failed').map((s) => `${s.id}: ${s.error}`);
  expect({ status: run.status, failed }).toEqual({ status: 'succeeded', failed: [] });
  const { digest, image } = step(run, 'build').outputs;
  expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  expect(image).toBe(`${host}/${project}/hello:1`);
  const { stdout } = await promisify(execFile)(
    'skopeo',
    ['inspect', '--tls-verify=false', '--creds', `x:${ADMIN_TOKEN}`, `docker://${image}`],
    { encoding: 'utf8' },
  );
  expect(JSON.parse(stdout).Digest).toBe(digest);
  // the build left no image behind on the host: only dockyard has it
  const { stdout: local } = await promisify(execFile)('podman', ['images', '--format', '{{.Repository}}'], {
    encoding: 'utf8',
  });
  expect(local.split('\n')).not.toContain(`${host}/${project}/hello`);
});

import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import path from 'node:path';
import { startStack, type Stack } from '../../support/stack';
import { createProject, getRun, step, trigger, waitForRun } from '../../support/runs';
import { pathWithoutGit, pushPlatformImages, untagStackImages } from '../../support/platform-images';
import type { Dockyard } from '../../../scripts/images/dockyard';

/**
 * examples/node-app.yaml on the container runtime, on a worker whose PATH has no git: the
 * sample and checkout steps use git from the platform images, built from Debian packages and
 * pulled from this stack's dockyard; the Node.js steps run in the Debian nodejs + npm image.
 */
jest.setTimeout(900_000);

let stack: Stack;
let dockyard: Dockyard;
let project: string;
const savedPath = process.env.PATH;

beforeAll(async () => {
  stack = await startStack({ worker: false, config: { CO_RUNTIME: 'container' } });
  dockyard = await pushPlatformImages(stack, true);
  stack.config.CO_CONTAINER_AUTHFILE = dockyard.authfile;
  process.env.PATH = pathWithoutGit();
  if (process.env.CO_TEST_VERBOSE) console.log(new Date().toISOString(), 'starting the worker');
  await stack.startWorker();
  if (process.env.CO_TEST_VERBOSE) console.log(new Date().toISOString(), 'worker started');
  project = await createProject(stack);
});
afterAll(async () => {
  process.env.PATH = savedPath;
  if (stack) untagStackImages(stack);
  await stack?.stop();
});

test('git-clone is pinned to its image in dockyard, by the digest dockyard serves', async () => {
  const row = await stack.db.componentVersion.findFirst({
    where: { version: '1.0.0', component: { name: 'git-clone' } },
  });
  const host = new URL(stack.url).host;
  expect(row?.image).toMatch(new RegExp(`^${host}/containerops/components/git-clone@sha256:[0-9a-f]{64}$`));
  // asynchronously: this process serves dockyard
  const { stdout } = await promisify(execFile)(
    'skopeo',
    ['inspect', '--tls-verify=false', '--authfile', dockyard.authfile, `docker://${row!.image}`],
    { encoding: 'utf8', env: { ...process.env, PATH: savedPath } },
  );
  expect(JSON.parse(stdout).Digest).toBe(row!.image!.split('@')[1]);
});

test('examples/node-app.yaml runs green on the container runtime with no git on the worker', async () => {
  // the worker's environment (this test file's process.env, which child processes do not inherit by default)
  const which = execFileSync('sh', ['-c', 'command -v git || echo none'], {
    encoding: 'utf8',
    env: process.env,
  });
  expect(which.trim()).toBe('none');
  // as it is: its Node.js steps name containerops/node:bookworm, a repository of this stack's dockyard
  const source = fs.readFileSync(path.resolve(__dirname, '../../../examples/node-app.yaml'), 'utf8');
  const res = await stack.request('POST', `/api/v1/projects/${project}/pipelines`, source);
  expect(res.status).toBe(201);
  const started = await trigger(stack, project, 'node-app');
  const run = await waitForRun(stack, project, started.id, 600_000);
  const failed = run.steps.filter((s) => s.status === 'failed').map((s) => `${s.id}: ${s.error}`);
  expect({ status: run.status, failed }).toEqual({ status: 'succeeded', failed: [] });
  expect(step(run, 'checkout').outputs.commit).toMatch(/^[0-9a-f]{40}$/);
  expect(step(run, 'build').outputs.version).toBe('1.0.0');
  expect(Number(step(run, 'test').outputs.coverage)).toBeGreaterThan(0);
  expect((await getRun(stack, project, started.id)).status).toBe('succeeded');
});

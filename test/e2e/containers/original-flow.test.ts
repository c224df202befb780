import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startStack, type Stack } from '../../support/stack';
import { createPipeline, createProject, step, trigger, waitForRun } from '../../support/runs';
import { pushPlatformImages, untagStackImages } from '../../support/platform-images';

/**
 * A flow in the original ContainerOps format (stages / actions / jobs naming images by
 * `endpoint`) on the container runtime, with two original components re-created as images from
 * Debian packages: python-flake8 and nodejs-test. They clone `git-url` from CO_DATA (served here
 * over git's plain HTTP protocol) and report through [COUT] lines.
 */
jest.setTimeout(900_000);

let stack: Stack;
let project: string;
let server: http.Server;
let gitBase: string;
const repos = fs.mkdtempSync(path.join(os.tmpdir(), 'co-original-repos-'));

/** A git repository served over the dumb HTTP protocol: http://<server>/<name>.git */
function gitRepo(name: string, files: Record<string, string>): void {
  const work = path.join(repos, `${name}-work`);
  fs.mkdirSync(work);
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(work, file)), { recursive: true });
    fs.writeFileSync(path.join(work, file), text);
  }
  const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, stdio: 'ignore' });
  git(work, 'init', '-q', '-b', 'main');
  git(work, 'add', '.');
  git(work, '-c', 'user.name=t', '-c', 'user.email=t@example.org', 'commit', '-q', '-m', 'init');
  git(repos, 'clone', '-q', '--bare', work, `${name}.git`);
  git(path.join(repos, `${name}.git`), 'update-server-info');
}

beforeAll(async () => {
  gitRepo('clean', { 'calc/add.py': 'def add(a, b):\n    return a + b\n' });
  gitRepo('dirty', { 'calc/add.py': 'import os\ndef add(a,b):\n    return a+b\n' });
  gitRepo('node', {
    'package.json': '{ "name": "calc", "version": "1.0.0", "scripts": { "test": "node --test" } }\n',
    'test/add.test.js':
      "const test = require('node:test');\nconst assert = require('node:assert');\n" +
      "test('adds', () => assert.strictEqual(1 + 2, 3));\n",
  });
  server = http.createServer((req, res) => {
    const file = path.join(repos, path.normalize(new URL(req.url ?? '/', 'http://x').pathname));
    if (!file.startsWith(repos) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200);
    fs.createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  gitBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  stack = await startStack({ worker: false, config: { CO_RUNTIME: 'container' } });
  const dockyard = await pushPlatformImages(stack, true);
  stack.config.CO_CONTAINER_AUTHFILE = dockyard.authfile;
  await stack.startWorker();
  project = await createProject(stack);
});
afterAll(async () => {
  if (stack) untagStackImages(stack);
  await stack?.stop();
  await new Promise((resolve) => server?.close(resolve));
  fs.rmSync(repos, { recursive: true, force: true });
});

/** The original format: images named as on a hub, here dockyard's platform project. */
function flow(name: string, python: string): string {
  return `name: containerops/${name}/1
title: Python analysis and Node.js tests with the original components
timeout: 0
stages:
  -
    type: start
    name: start
  -
    type: normal
    name: check
    sequencing: parallel
    actions:
      -
        name: flake8
        jobs:
          -
            type: component
            endpoint: containerops/components/python-flake8:1.0.0
            timeout: 0
            environments:
              - CO_DATA: "git-url=${gitBase}/${python}.git"
            outputs: ["CO_FLAKE8_COUNT"]
      -
        name: node-test
        jobs:
          -
            type: component
            endpoint: containerops/components/nodejs-test:1.0.0
            environments:
              - CO_DATA: "git-url=${gitBase}/node.git"
            outputs: ["CO_TEST_PASSED", "CO_NODE_VERSION"]
  -
    type: end
    name: end
`;
}

test('the flow passes: flake8 finds nothing and the Node.js tests pass, each in its image', async () => {
  await createPipeline(stack, project, flow('clean', 'clean'));
  const run = await waitForRun(stack, project, (await trigger(stack, project, 'clean')).id, 600_000);
  const failed = run.steps.filter((s) => s.status === 'failed').map((s) => `${s.id}: ${s.error}`);
  expect({ status: run.status, failed }).toEqual({ status: 'succeeded', failed: [] });
  expect(step(run, 'check-flake8-0').outputs).toMatchObject({ CO_FLAKE8_COUNT: '0', CO_RESULT: 'true' });
  expect(step(run, 'check-node-test-0').outputs).toMatchObject({
    CO_TEST_PASSED: 'true',
    CO_NODE_VERSION: expect.stringMatching(/^v\d+\./),
    CO_RESULT: 'true',
  });
});

test('flake8 problems: CO_RESULT = false fails the job, its [COUT] outputs recorded', async () => {
  await createPipeline(stack, project, flow('dirty', 'dirty'));
  const run = await waitForRun(stack, project, (await trigger(stack, project, 'dirty')).id, 600_000);
  expect(run.status).toBe('failed');
  const flake8 = step(run, 'check-flake8-0');
  expect(flake8).toMatchObject({ status: 'failed', exitCode: 0 });
  expect(flake8.error).toBe('the component reported [COUT] CO_RESULT = false (exit code 0)');
  // F401 os unused, E302 blank lines, E231 and E225 whitespace: flake8's own count
  expect(Number(flake8.outputs.CO_FLAKE8_COUNT)).toBeGreaterThanOrEqual(3);
  expect(flake8.outputs.CO_RESULT).toBe('false');
});

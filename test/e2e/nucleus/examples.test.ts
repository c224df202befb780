import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startStack, type Stack } from '../../support/stack';
import { createProject, eventually, getRun, step, trigger, waitForRun } from '../../support/runs';

/**
 * Every file in examples/ either runs to `succeeded` on the local runtime, offline, with its
 * defaults (required params given, approvals approved), and again against a repository given
 * as a param (a bare git repository built here), or has `kubernetes` in its name, in which
 * case it must at least be accepted by the API against the real catalog.
 */
const EXAMPLES_DIR = path.resolve(__dirname, '../../../examples');
const FILES = fs.readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith('.yaml'));
const REQUIRED: Record<string, Record<string, string>> = { release: { version: '1.4.0' } };

let stack: Stack;
let project: string;
let fixture: string;

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null' },
  });

/** A bare repository holding a Node app at the root and a monorepo under packages/. */
function buildFixtureRepository(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'co-examples-'));
  const work = path.join(root, 'work');
  const write = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(work, file)), { recursive: true });
    fs.writeFileSync(path.join(work, file), text);
  };
  write(
    'package.json',
    JSON.stringify({
      name: 'fixture-app',
      version: '2.3.4',
      private: true,
      scripts: {
        lint: 'node --check index.js',
        test: 'node --test',
        build: 'mkdir -p dist && cp index.js dist/',
      },
    }),
  );
  write('index.js', 'exports.name = "fixture";\n');
  write('test/app.test.js', "require('node:test')('loads', () => require('../index.js'));\n");
  for (const pkg of ['api', 'web', 'worker', 'shared']) {
    write(
      `packages/${pkg}/package.json`,
      JSON.stringify({
        name: pkg,
        private: true,
        scripts: { test: 'node --test', lint: 'node --check index.js' },
      }),
    );
    write(`packages/${pkg}/index.js`, `exports.name = '${pkg}';\n`);
    write(
      `packages/${pkg}/test/index.test.js`,
      `require('node:test')('${pkg}', () => require('../index.js'));\n`,
    );
  }
  write(
    'integration.js',
    "for (const p of ['api', 'web', 'worker', 'shared']) require('./packages/' + p);\nconsole.log('fixture ok');\n",
  );
  git(work, 'init', '-q', '-b', 'trunk');
  git(work, 'add', '-A');
  git(work, '-c', 'user.name=T', '-c', 'user.email=t@example.org', 'commit', '-qm', 'fixture');
  git(root, 'clone', '-q', '--bare', work, path.join(root, 'fixture.git'));
  return `file://${path.join(root, 'fixture.git')}`;
}

beforeAll(async () => {
  stack = await startStack();
  project = await createProject(stack);
  fixture = buildFixtureRepository();
});
afterAll(async () => {
  await stack?.stop();
});

async function save(file: string): Promise<string> {
  const source = fs.readFileSync(path.join(EXAMPLES_DIR, file), 'utf8');
  const res = await stack.request('POST', `/api/v1/projects/${project}/pipelines`, source);
  const body = (await res.json()) as { name: string; errors?: unknown };
  if (res.status !== 201) throw new Error(`${file}: ${res.status} ${JSON.stringify(body)}`);
  return body.name;
}

/** Runs a pipeline to its end, approving every approval step it waits on. */
async function runToEnd(name: string, params: Record<string, string>) {
  const started = await trigger(stack, project, name, params);
  await eventually(async () => {
    const run = await getRun(stack, project, started.id);
    if (['succeeded', 'failed', 'cancelled', 'timed_out'].includes(run.status)) return run;
    for (const s of run.steps.filter((x) => x.status === 'waiting')) {
      await stack.request('POST', `/api/v1/projects/${project}/runs/${started.id}/steps/${s.id}/approval`, {
        decision: 'approve',
        comment: 'examples test',
      });
    }
    return undefined;
  }, `${name} to finish`);
  return waitForRun(stack, project, started.id);
}

describe('examples/', () => {
  it('has examples, and every one that cannot run locally says kubernetes in its name', () => {
    expect(FILES.length).toBeGreaterThanOrEqual(5);
    expect(FILES.filter((f) => !f.includes('kubernetes')).length).toBeGreaterThanOrEqual(3);
  });

  const local = FILES.filter((f) => !f.includes('kubernetes'));
  const cluster = FILES.filter((f) => f.includes('kubernetes'));

  it.each(local)('%s runs to succeeded with its defaults, offline', async (file) => {
    const name = await save(file);
    const run = await runToEnd(name, REQUIRED[name] ?? {});
    expect({ file, status: run.status, failed: run.steps.filter((s) => s.status === 'failed') }).toEqual({
      file,
      status: 'succeeded',
      failed: [],
    });
    expect(step(run, 'checkout').outputs.commit).toMatch(/^[0-9a-f]{40}$/);
  });

  it.each(local)('%s runs to succeeded against a repository given as a param', async (file) => {
    const name = fs.readFileSync(path.join(EXAMPLES_DIR, file), 'utf8').match(/^name: (\S+)$/m)![1]!;
    const run = await runToEnd(name, { ...REQUIRED[name], repository: fixture });
    expect({ file, status: run.status }).toEqual({ file, status: 'succeeded' });
    const commit = git(fixture.slice('file://'.length), 'rev-parse', 'trunk').trim();
    expect(step(run, 'checkout').outputs.commit).toBe(commit);
  });

  it.each(cluster)('%s (needs a cluster) is accepted against the catalog', async (file) => {
    expect(await save(file)).toBeTruthy();
  });
});

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { workflowBundle } from '../../support/stack';
import { eventually, processAlive } from '../../support/runs';
import {
  commandLines,
  devEnv,
  processesWith,
  processTree,
  startDev,
  type DevStack,
} from '../../support/dev-stack';

const TOKEN = 'co_embedded_stack_admin_token_0123456789';
let dataDir: string;
let scratch: string;
let env: NodeJS.ProcessEnv;
let dev: DevStack | undefined;

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'co-embedded-'));
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'co-embedded-steps-'));
  const bundle = path.join(scratch, 'workflow-bundle.js');
  fs.writeFileSync(bundle, (await workflowBundle()).code);
  env = devEnv(dataDir, {
    CO_BOOTSTRAP_ADMIN_TOKEN: TOKEN,
    CO_SHUTDOWN_GRACE_MS: '120000',
    CO_WORKFLOW_BUNDLE: bundle,
  });
}, 120_000);
afterAll(async () => {
  // whatever a failed assertion left running
  for (const pid of [...processesWith(dataDir), ...(dev ? processTree(dev.child.pid!) : [])]) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function api(method: string, p: string, body?: string | object): Promise<Response> {
  const headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` };
  if (typeof body === 'string') headers['content-type'] = 'application/yaml';
  else if (body) headers['content-type'] = 'application/json';
  return fetch(`${dev!.url}/api/v1${p}`, {
    method,
    headers,
    body: typeof body === 'string' || body === undefined ? body : JSON.stringify(body),
  });
}

/** A step that logs 50 lines, waits for `<name>.go`, then logs 50 more: a stop hits it mid-step. */
const pipeline = (name: string) => `apiVersion: containerops/v1
kind: Pipeline
name: ${name}
steps:
  - id: work
    run: |
      for i in $(seq 1 50); do echo "line $i"; done
      touch ${scratch}/${name}.started
      while [ ! -f ${scratch}/${name}.go ]; do sleep 0.2; done
      for i in $(seq 51 100); do echo "line $i"; done
  - id: after
    needs: [work]
    run: echo after
`;

async function runStatus(runId: string): Promise<string> {
  const res = await api('GET', `/projects/demo/runs/${runId}`);
  return ((await res.json()) as { status: string }).status;
}

async function workLog(runId: string): Promise<string[]> {
  const res = await api('GET', `/projects/demo/runs/${runId}/steps/work/logs`);
  expect(res.status).toBe(200);
  return (await res.text()).split('\n').filter((l) => /^line \d+$/.test(l));
}

/**
 * Every process of the stack ends with it. A process that has exited but is still being reaped on
 * a loaded machine gets a few seconds; one that keeps running fails the test, named.
 */
async function nothingLeftOf(marker: string): Promise<void> {
  try {
    await eventually(() => (processesWith(marker).length ? undefined : true), 'the stack to end', 15_000);
  } catch {
    throw new Error(
      `still running after npm start exited: ${commandLines(processesWith(marker)).join(' | ')}`,
    );
  }
}

const expectedLines = Array.from({ length: 100 }, (_, i) => `line ${i + 1}`);
const started = (name: string) => fs.existsSync(path.join(scratch, `${name}.started`));

describe('the embedded stack (npm start) stopped the hard ways', () => {
  it('finishes the running step on SIGTERM to its process group, and resumes runs after SIGKILL of everything', async () => {
    dev = await startDev(env);
    expect((await api('POST', '/projects', { name: 'demo' })).status).toBe(201);
    for (const name of ['one', 'two'])
      expect((await api('POST', '/projects/demo/pipelines', pipeline(name))).status).toBe(201);

    // 1. SIGTERM to the process group (as a Ctrl-C does) while a step runs: the step gets its grace
    const one = (await (await api('POST', '/projects/demo/pipelines/one/runs')).json()) as { id: string };
    await eventually(() => started('one') || undefined, 'step one to start', 120_000);
    process.kill(-dev.child.pid!, 'SIGTERM');
    await eventually(() => /SIGTERM: shutting down/.test(dev!.output()) || undefined, 'shutdown to begin');
    // the platform waits for the step, which waits for us
    expect(dev.child.exitCode).toBeNull();
    fs.writeFileSync(path.join(scratch, 'one.go'), '');
    expect(await dev.exited).toBe(0);
    await nothingLeftOf(dataDir);

    // 2. the next start finishes run one, then SIGKILL of every process of the stack mid-step
    dev = await startDev(env);
    await eventually(async () => ((await runStatus(one.id)) === 'succeeded' ? true : undefined), 'run one');
    const two = (await (await api('POST', '/projects/demo/pipelines/two/runs')).json()) as { id: string };
    await eventually(() => started('two') || undefined, 'step two to start', 120_000);
    const everything = processTree(dev.child.pid!);
    expect(everything.length).toBeGreaterThanOrEqual(7); // tsx, node, 2 tethers, mariadbd, temporal, launcher, step
    for (const pid of everything) process.kill(pid, 'SIGKILL');
    await dev.exited;
    await eventually(() => (everything.some(processAlive) ? undefined : true), 'every process to die');

    // 3. a restart on the same data dir completes run two; both runs have complete logs
    fs.writeFileSync(path.join(scratch, 'two.go'), '');
    dev = await startDev(env);
    await eventually(
      async () => ((await runStatus(two.id)) === 'succeeded' ? true : undefined),
      'run two',
      120_000,
    );
    expect(await workLog(one.id)).toEqual(expectedLines);
    // the killed attempt ran again from the start: every line is there (some twice, at-least-once)
    const linesOfTwo = await workLog(two.id);
    expect(new Set(linesOfTwo)).toEqual(new Set(expectedLines));
    expect(linesOfTwo.slice(-50)).toEqual(expectedLines.slice(50));
  }, 600_000);

  it('leaves no server behind when only the node process is killed, and a stale server is stopped at start (item 7)', async () => {
    const nodeOf = (stack: DevStack) =>
      processTree(stack.child.pid!).find(
        (pid) =>
          fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('scripts/dev.ts') &&
          pid !== stack.child.pid,
      )!;
    // kill -9 of the node process alone: its tethers stop MariaDB and Temporal
    const servers = processesWith(dataDir);
    expect(servers.length).toBeGreaterThanOrEqual(4);
    process.kill(nodeOf(dev!), 'SIGKILL');
    await dev!.exited;
    await eventually(() => (servers.some(processAlive) ? undefined : true), 'the servers to stop');

    // kill -9 of node and its tethers leaves mariadbd running: the next start stops it, and says so
    dev = await startDev(env);
    const mariadbd = Number(fs.readFileSync(path.join(dataDir, 'mysql', 'mysqld.pid'), 'utf8'));
    expect(processAlive(mariadbd)).toBe(true);
    const tethers = processesWith('scripts/tether.js').filter((pid) =>
      processTree(dev!.child.pid!).includes(pid),
    );
    for (const pid of [nodeOf(dev), ...tethers]) process.kill(pid, 'SIGKILL');
    await dev.exited;
    expect(processAlive(mariadbd)).toBe(true);
    dev = await startDev(env);
    expect(dev.output()).toMatch(
      new RegExp(`containerops: stopped a MariaDB \\(pid ${mariadbd}\\) an earlier start left running`),
    );
    expect(processAlive(mariadbd)).toBe(false);
    expect((await fetch(`${dev.url}/readyz`)).status).toBe(200);
    process.kill(-dev.child.pid!, 'SIGINT');
    expect(await dev.exited).toBe(0);
    await eventually(() => (processesWith(dataDir).length ? undefined : true), 'every server to stop');
  }, 600_000);
});

import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ContainerRuntime } from '../../../activities/runtimes/container/container';
import { LABELS, ownerLabel } from '../../../activities/runtimes/container/labels';
import { GLOBAL_FLAGS, ULIMITS } from '../../../activities/runtimes/container/podman';
import { sweepStepContainers } from '../../../activities/runtimes/container/sweep';
import type { StepHooks, StepLaunch } from '../../../activities/runtimes/runtime';
import { localWorkspace } from '../../support/runtime-contract';
import { testImage } from '../../support/container-image';

jest.setTimeout(120_000);

const pod = (...args: string[]) => execFileSync('podman', [...GLOBAL_FLAGS, ...args], { encoding: 'utf8' });
const TEST_LABEL = 'containerops.test=container-runtime';

let image: string;
let runtime: ContainerRuntime;
beforeAll(async () => {
  image = await testImage();
  runtime = new ContainerRuntime({ killGraceMs: 500, defaultImage: image });
});
afterAll(async () => {
  await runtime.close();
  const left = pod('ps', '-aq', '--filter', `label=${TEST_LABEL}`).split('\n').filter(Boolean);
  if (left.length) pod('rm', '--force', '--time', '0', '--ignore', ...left);
});

/** Prints an id made once per container (in its own /tmp): steps that print the same one shared it. */
const CONTAINER_ID =
  '[ -f /tmp/co-test-id ] || od -An -N8 -tx1 /dev/urandom | tr -d \' \\n\' > /tmp/co-test-id\necho "$(cat /tmp/co-test-id)"';

function launch(script: string, extra: Partial<StepLaunch> = {}): StepLaunch {
  return {
    project: 'p',
    runId: `run-${Math.random().toString(36).slice(2)}`,
    stepId: 'step',
    matrixKey: '',
    attempt: 1,
    script,
    env: {},
    workspace: localWorkspace(),
    timeoutMs: 60_000,
    ...extra,
  };
}

async function run(
  l: StepLaunch,
  onLine: (line: string, container: string) => void | Promise<void> = () => undefined,
) {
  const lines: string[] = [];
  const containers = new Set<string>();
  let container = '';
  const waits: Promise<void>[] = [];
  const hooks: StepHooks = {
    onLine: (_stream, line) => {
      lines.push(line);
      waits.push(Promise.resolve(onLine(line, container)));
    },
    heartbeat: (details) => {
      container = (details as { container: string }).container;
      containers.add(container);
    },
    signal: new AbortController().signal,
  };
  const outcome = await runtime.run(l, hooks);
  await Promise.all(waits);
  return { outcome, lines, containers: [...containers] };
}

test('the workspace is the working directory at /workspace; outputs and file references point inside it', async () => {
  const l = launch(
    'pwd\necho "$CO_OUTPUTS"\necho "$REPORT_FILE"\ncat "$REPORT_FILE"\necho made > made.txt\necho "n=1" >> "$CO_OUTPUTS"',
  );
  fs.mkdirSync(path.join(l.workspace, '.co', 'refs'), { recursive: true });
  fs.writeFileSync(path.join(l.workspace, '.co', 'refs', 'abc'), 'large value');
  l.env.REPORT_FILE = path.join(l.workspace, '.co', 'refs', 'abc');
  const { outcome, lines } = await run(l);
  expect(outcome).toMatchObject({ exitCode: 0, outputs: { n: '1' } });
  expect(lines[0]).toBe('/workspace');
  expect(lines[1]).toMatch(/^\/workspace\/\.co\/outputs\/[0-9a-f]+\.env$/);
  expect(lines.slice(2)).toEqual(['/workspace/.co/refs/abc', 'large value']);
  expect(fs.readFileSync(path.join(l.workspace, 'made.txt'), 'utf8')).toBe('made\n');
});

test('a secret reaches the step but not podman inspect, a command line or the job files after the step', async () => {
  const secret = `s3cr3t-${Math.random().toString(36).slice(2)}`;
  const l = launch(
    'test "$API_TOKEN" = "$EXPECTED_LEN" || echo "length ${#API_TOKEN}"\necho ready\nsleep 2',
    {
      secretEnv: { API_TOKEN: secret },
      env: { EXPECTED_LEN: 'never' },
    },
  );
  let inspected = '';
  let commandLines = '';
  const { outcome, lines } = await run(l, (line, container) => {
    if (line !== 'ready') return;
    inspected = pod('inspect', container);
    commandLines = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
  });
  expect(outcome.exitCode).toBe(0);
  expect(lines).toContain(`length ${secret.length}`);
  expect(inspected).toContain(LABELS.owner);
  expect(inspected).not.toContain(secret);
  expect(commandLines).not.toContain(secret);
  const left = spawnSync('grep', ['-r', secret, '/dev/shm/containerops-steps', l.workspace], {
    encoding: 'utf8',
  });
  expect(left.stdout).toBe('');
});

test('steps of one chain share one container; steps without a chain get one each', async () => {
  const workspace = localWorkspace();
  const chained = [];
  for (const stepId of ['a', 'b', 'c'])
    chained.push(await run(launch(CONTAINER_ID, { stepId, workspace, shareKey: 'chain-1' })));
  expect(chained.map((r) => r.outcome.exitCode)).toEqual([0, 0, 0]);
  expect(new Set(chained.map((r) => r.lines[0])).size).toBe(1);
  const single = [
    await run(launch(CONTAINER_ID, { workspace })),
    await run(launch(CONTAINER_ID, { workspace })),
  ];
  expect(single[0]!.lines[0]).not.toBe(single[1]!.lines[0]);
});

test('a failed chained step leaves the container to the next step; a timed-out one ends it', async () => {
  const workspace = localWorkspace();
  const first = await run(launch(`${CONTAINER_ID}\nexit 4`, { workspace, shareKey: 'chain-2' }));
  expect(first.outcome.exitCode).toBe(4);
  const second = await run(
    launch(`${CONTAINER_ID}\nsleep 30`, { workspace, shareKey: 'chain-2', timeoutMs: 1000 }),
  );
  expect(second.lines[0]).toBe(first.lines[0]);
  expect(second.outcome.failure?.kind).toBe('timeout');
  expect(pod('ps', '-aq', '--filter', `name=${second.containers[0]}`).trim()).toBe('');
  const third = await run(launch(CONTAINER_ID, { workspace, shareKey: 'chain-2' }));
  expect(third.lines[0]).not.toBe(first.lines[0]);
});

test('an image that is neither here nor pullable fails the step as "image", not retryable', async () => {
  const { outcome, lines } = await run(launch('true', { image: '127.0.0.1:9/containerops-test/none:1' }));
  expect(outcome.failure).toMatchObject({ kind: 'image', retryable: false });
  expect(lines[0]).toMatch(/not on this machine; pulling it/);
});

test('the sweep removes containers whose worker died and keeps those of live workers', async () => {
  const dead = spawnSync('true').pid!;
  const deadOwner = `${os.hostname()}/${dead}/1`;
  const start = (owner: string) =>
    pod(
      'run',
      '-d',
      ...ULIMITS,
      '--label',
      TEST_LABEL,
      '--label',
      `${LABELS.owner}=${owner}`,
      image,
      'sleep',
      '60',
    ).trim();
  const orphan = start(deadOwner);
  const ours = start(ownerLabel());
  const removed = await sweepStepContainers({ podman: 'podman' });
  expect(removed.length).toBeGreaterThanOrEqual(1);
  const left = pod('ps', '-aq', '--no-trunc', '--filter', `label=${TEST_LABEL}`);
  expect(left).not.toContain(orphan);
  expect(left).toContain(ours);
});

test('reclaim removes the container a lost attempt left', async () => {
  const name = `co-test-reclaim-${process.pid}`;
  pod('run', '-d', ...ULIMITS, '--name', name, '--label', TEST_LABEL, image, 'sleep', '60');
  await runtime.reclaim(launch('true'), { container: name, host: os.hostname() });
  expect(pod('ps', '-aq', '--filter', `name=${name}`).trim()).toBe('');
});

test("what a step leaves running in the background ends with it, before the chain's next step", async () => {
  const workspace = localWorkspace();
  const first = await run(launch('sleep 300 &\necho started', { workspace, shareKey: 'chain-3' }));
  expect(first.outcome.exitCode).toBe(0);
  const count = `n=0; for f in /proc/[0-9]*/cmdline; do case "$(tr '\\0' ' ' < "$f")" in "sleep 300 ") n=$((n+1));; esac; done; echo "left $n"`;
  const second = await run(launch(count, { workspace, shareKey: 'chain-3' }));
  expect(second.containers).toEqual(first.containers);
  expect(second.lines).toEqual(['left 0']);
});

test("a step reaches services on the host's loopback, as a local step does", async () => {
  const server = http.createServer((_req, res) => res.end('pong')).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    const { outcome, lines } = await run(launch(`curl -sS http://127.0.0.1:${port}/`));
    expect(outcome.exitCode).toBe(0);
    expect(lines).toEqual(['pong']);
  } finally {
    server.close();
  }
});

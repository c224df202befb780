import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ContainerRuntime } from '../../../activities/runtimes/container/container';
import { LABELS } from '../../../activities/runtimes/container/labels';
import { GLOBAL_FLAGS } from '../../../activities/runtimes/container/podman';
import type { SidecarLaunch, StepHooks, StepLaunch } from '../../../activities/runtimes/runtime';
import { testImage } from '../../support/container-image';
import { echoServiceImage } from '../../support/echo-service-image';
import { localWorkspace } from '../../support/runtime-contract';

jest.setTimeout(180_000);

const pod = (...args: string[]) => execFileSync('podman', [...GLOBAL_FLAGS, ...args], { encoding: 'utf8' });
const containersOf = (runId: string) =>
  pod('ps', '-a', '--format', '{{.Names}}', '--filter', `label=${LABELS.run}=${runId}`)
    .split('\n')
    .filter(Boolean);

let echo: string;
let runtime: ContainerRuntime;
beforeAll(async () => {
  const base = await testImage();
  echo = echoServiceImage(base);
  runtime = new ContainerRuntime({ killGraceMs: 500, defaultImage: base });
});
afterAll(async () => {
  await runtime.close();
});

function launch(script: string, sidecars: SidecarLaunch[]): StepLaunch {
  return {
    project: 'p',
    runId: `run-${Math.random().toString(36).slice(2)}`,
    stepId: 'step',
    matrixKey: '',
    attempt: 1,
    script,
    env: {},
    workspace: localWorkspace(),
    timeoutMs: 120_000,
    sidecars,
  };
}

async function run(l: StepLaunch, onLine: (line: string) => void = () => undefined, signal?: AbortSignal) {
  const lines: string[] = [];
  const hooks: StepHooks = {
    onLine: (_stream, line) => {
      lines.push(line);
      onLine(line);
    },
    heartbeat: () => undefined,
    signal: signal ?? new AbortController().signal,
  };
  const outcome = await runtime.run(l, hooks);
  return { outcome, lines };
}

test('the step reaches its sidecar by name once it listens; its variables stay out of podman inspect; it is removed after', async () => {
  const greeting = `hello-${Math.random().toString(36).slice(2)}`;
  const l = launch(
    // the test inspects the sidecar while the step waits for the file it writes then
    'curl -sf http://db:8080/\necho inspect-now\nwhile [ ! -f inspected ]; do sleep 0.1; done',
    [{ name: 'db', image: echo, env: { GREETING: greeting }, ports: [] }],
  );
  let inspected = '';
  let during: string[] = [];
  const { outcome, lines } = await run(l, (line) => {
    if (line !== 'inspect-now') return;
    during = containersOf(l.runId);
    inspected = during.map((name) => pod('inspect', name)).join('\n');
    fs.writeFileSync(path.join(l.workspace, 'inspected'), '');
  });
  expect(outcome.exitCode).toBe(0);
  expect(lines).toContain(`${greeting} from echo`);
  expect(during).toHaveLength(2);
  expect(inspected).toContain(LABELS.owner);
  expect(inspected).not.toContain(greeting);
  expect(containersOf(l.runId)).toEqual([]);
});

test('a sidecar that exits before it listens fails the step with its last lines, and leaves nothing', async () => {
  const l = launch('echo never', [
    {
      name: 'broken',
      image: echo,
      env: {},
      command: ['perl', '-e', 'print "cannot start\\n"; exit 3'],
      ports: [],
    },
  ]);
  const { outcome, lines } = await run(l);
  expect(outcome.failure?.message).toContain('sidecar broken exited before it listened on port 8080');
  expect(lines).toContain('[sidecar broken] cannot start');
  expect(lines).not.toContain('never');
  expect(containersOf(l.runId)).toEqual([]);
});

test('a cancelled step removes its sidecars with its container', async () => {
  const controller = new AbortController();
  const l = launch('echo started\nwhile true; do sleep 1; done', [
    { name: 'db', image: echo, env: {}, ports: [8080] },
  ]);
  const { outcome } = await run(
    l,
    (line) => {
      if (line === 'started') controller.abort();
    },
    controller.signal,
  );
  expect(outcome.failure).toBeDefined();
  expect(containersOf(l.runId)).toEqual([]);
});

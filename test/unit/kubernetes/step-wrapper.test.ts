import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { STEP_EXIT_FILE } from '../../../activities/runtimes/kubernetes/artifact-containers';
import { buildPod } from '../../../activities/runtimes/kubernetes/pod-spec';
import type { StepLaunch } from '../../../activities/runtimes/runtime';

// The wrapper a step pod with artifacts.out runs its command under, run here by the host's sh: it
// must hand the uploader the step's own exit code, and pass the kubelet's TERM on to the step.

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'co-wrapper-'));
});
const started: number[] = [];
afterEach(() => {
  // whatever a failed test left running (each wrapper leads a process group of its own)
  for (const pid of started.splice(0)) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

function wrapped(script: string): string[] {
  const launch: StepLaunch = {
    project: 'demo',
    runId: 'run-1',
    stepId: 'build',
    matrixKey: '',
    attempt: 1,
    image: 'busybox:1.36',
    script,
    env: {},
    workspace: '/workspace',
    podArtifacts: {
      runsUrl: 'http://api/runs',
      token: 't',
      runIds: ['run-1'],
      in: [],
      out: [{ name: 'd', path: 'd' }],
      refs: [],
    },
  };
  const step = buildPod(launch, { namespace: 'ci', keepOnFailure: false }).spec!.containers[0]!;
  expect(step.env).toContainEqual({ name: 'CO_STEP_EXIT_FILE', value: STEP_EXIT_FILE });
  return step.command!;
}

function start(command: string[]) {
  const exitFile = path.join(dir, 'step-exit-code');
  const [file, ...args] = command;
  const child = spawn(file!, args, {
    env: { PATH: process.env.PATH, CO_STEP_EXIT_FILE: exitFile },
    detached: true,
  });
  started.push(child.pid!);
  const lines: string[] = [];
  const ready = new Promise<void>((resolve) =>
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      lines.push(line);
      if (line === 'ready') resolve();
    }),
  );
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, ready, exited, lines, exitFile };
}

test("the step's exit code is recorded for the uploader and is the wrapper's own", async () => {
  const run = start(wrapped('echo working\nexit 3'));
  expect(await run.exited).toBe(3);
  expect(run.lines).toEqual(['working']);
  expect(fs.readFileSync(run.exitFile, 'utf8')).toBe('3\n');
});

test('a step that succeeds records 0; `sh -e` still stops the script at its first failing command', async () => {
  expect(await start(wrapped('true')).exited).toBe(0);
  const failing = start(wrapped('false\necho never'));
  expect(await failing.exited).toBe(1);
  expect(failing.lines).toEqual([]);
  expect(fs.readFileSync(failing.exitFile, 'utf8')).toBe('1\n');
});

test("TERM to the wrapper reaches the step, and the step's answer is what is recorded", async () => {
  const run = start(wrapped("trap 'echo stopping; exit 7' TERM\necho ready\nwhile :; do sleep 0.05; done"));
  await run.ready;
  run.child.kill('SIGTERM');
  expect(await run.exited).toBe(7);
  expect(run.lines).toEqual(['ready', 'stopping']);
  expect(fs.readFileSync(run.exitFile, 'utf8')).toBe('7\n');
});

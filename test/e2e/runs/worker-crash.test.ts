import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import type { ChainProgress } from '../../../contract';
import { temporalClient } from '../../../lib/temporal';
import { startStack, type Stack } from '../../support/stack';
import { spawnWorkerProcess } from '../../support/worker-process';
import {
  createPipeline,
  createProject,
  eventually,
  processAlive,
  readCount,
  step,
  trigger,
  waitForRun,
} from '../../support/runs';

let stack: Stack;
let project: string;
const workers: ChildProcess[] = [];

function spawnWorker(): ChildProcess {
  const child = spawnWorkerProcess(stack.config, { LOG_LEVEL: 'warn' });
  workers.push(child);
  return child;
}

/** SIGKILL, as a crashed node or an OOM kill would, and wait until the process is gone. */
async function killWorker(child: ChildProcess): Promise<void> {
  child.kill('SIGKILL');
  await eventually(
    () => (child.exitCode !== null || child.signalCode ? true : undefined),
    'the worker to die',
  );
}

beforeAll(async () => {
  stack = await startStack({ worker: false });
  project = await createProject(stack);
});
afterAll(async () => {
  for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
  await stack?.stop();
});

it('a run survives its worker being SIGKILLed mid-step and completes on a new worker', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'co-crash-'));
  await createPipeline(
    stack,
    project,
    `apiVersion: containerops/v1
kind: Pipeline
name: durable
env: { DIR: "${dir}" }
steps:
  - id: first
    run: echo "n=21" >> "$CO_OUTPUTS"
  - id: slow
    needs: [first]
    run: |
      echo started >> "$DIR/slow-starts"
      if [ "$(wc -l < "$DIR/slow-starts")" -eq 1 ]; then echo $$ > "$DIR/lost.pid"; sleep 600; fi
      echo "doubled=$(( \${{ steps.first.outputs.n }} * 2 ))" >> "$CO_OUTPUTS"
  - id: last
    needs: [slow]
    run: echo "result=\${{ steps.slow.outputs.doubled }}" >> "$CO_OUTPUTS"
`,
  );
  const first = spawnWorker();
  const started = await trigger(stack, project, 'durable');
  await eventually(
    () => (readCount(path.join(dir, 'slow-starts')) === 1 ? true : undefined),
    'the slow step to start',
    90_000,
  );
  // the step's first heartbeat (its pid) has reached Temporal
  const handle = temporalClient(stack.temporal, 'default').workflow.getHandle(started.workflowId);
  await eventually(async () => {
    const { raw } = await handle.describe();
    return raw.pendingActivities?.some((a) => a.heartbeatDetails?.payloads?.length) ? true : undefined;
  }, 'the step to heartbeat');
  await killWorker(first);

  spawnWorker();
  const run = await waitForRun(stack, project, started.id, 120_000);
  expect(run.status).toBe('succeeded');
  expect(step(run, 'last').outputs).toEqual({ result: '42' });
  // the lost worker did not consume the step's single attempt
  expect(step(run, 'slow').attempts).toBe(1);
  expect(readCount(path.join(dir, 'slow-starts'))).toBe(2);
  // what the lost worker left running was stopped before the attempt ran again
  expect(processAlive(Number(fs.readFileSync(path.join(dir, 'lost.pid'), 'utf8')))).toBe(false);
}, 240_000);

it('a step chain whose worker is lost resumes on a new worker after the last finished step', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'co-crash-chain-'));
  await createPipeline(
    stack,
    project,
    `apiVersion: containerops/v1
kind: Pipeline
name: durable-chain
chainSteps: true
env: { DIR: "${dir}" }
steps:
  - { id: a, run: 'echo x >> "$DIR/a"' }
  - { id: b, needs: [a], run: 'echo x >> "$DIR/b"' }
  - id: c
    needs: [b]
    run: |
      echo x >> "$DIR/c"
      if [ "$(wc -l < "$DIR/c")" -eq 1 ]; then echo $$ > "$DIR/lost.pid"; sleep 600; fi
  - { id: d, needs: [c], run: 'echo x >> "$DIR/d"' }
`,
  );
  // only the worker this test kills may take the chain
  for (const w of workers) if (w.exitCode === null && !w.signalCode) w.kill('SIGKILL');
  const first = spawnWorker();
  const started = await trigger(stack, project, 'durable-chain');
  // the chain's heartbeat has reached Temporal with a and b done and c's process running
  const handle = temporalClient(stack.temporal, 'default').workflow.getHandle(started.workflowId);
  await eventually(
    async () => {
      const { raw } = await handle.describe();
      const payload = raw.pendingActivities?.[0]?.heartbeatDetails?.payloads?.[0];
      const progress = payload ? defaultPayloadConverter.fromPayload<ChainProgress>(payload) : undefined;
      return progress?.done.length === 2 && progress.current ? true : undefined;
    },
    'the chain to heartbeat with two steps done',
    90_000,
  );
  await killWorker(first);

  spawnWorker();
  const run = await waitForRun(stack, project, started.id, 120_000);
  expect(run.status).toBe('succeeded');
  expect(['a', 'b', 'c', 'd'].map((f) => readCount(path.join(dir, f)))).toEqual([1, 1, 2, 1]);
  expect(step(run, 'c').attempts).toBe(1);
  expect(processAlive(Number(fs.readFileSync(path.join(dir, 'lost.pid'), 'utf8')))).toBe(false);
}, 240_000);

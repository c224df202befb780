import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startStack, type Stack } from '../../support/stack';
import { temporalClient } from '../../../lib/temporal';
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
let scratch: string;

beforeAll(async () => {
  stack = await startStack();
  project = await createProject(stack);
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'co-exec-'));
});
afterAll(async () => {
  await stack?.stop();
});

describe('pipeline runs over HTTP', () => {
  it('passes outputs through a diamond DAG and shows every step succeeded with timings', async () => {
    await createPipeline(
      stack,
      project,
      `apiVersion: containerops/v1
kind: Pipeline
name: diamond
params:
  - { name: greeting, default: hello }
steps:
  - id: root
    run: |
      echo "building"
      echo "word=\${{ params.greeting }}" >> "$CO_OUTPUTS"
  - id: left
    needs: [root]
    run: echo "value=\${{ steps.root.outputs.word }}-left" >> "$CO_OUTPUTS"
  - id: right
    needs: [root]
    run: echo "[COUT] value=\${{ steps.root.outputs.word }}-right"
  - id: join
    needs: [left, right]
    run: |
      echo "joined=\${{ steps.left.outputs.value }}+\${{ steps.right.outputs.value }}" >> "$CO_OUTPUTS"
`,
    );
    const started = await trigger(stack, project, 'diamond', { greeting: 'hi' });
    expect(started.number).toBe(1);
    // readable in Temporal's list: project, pipeline, run number, then 8 hex of the run id
    expect(started.workflowId).toBe(`${project}.diamond.1-${started.id.replace(/-/g, '').slice(0, 8)}`);
    expect(started.links.temporal).toContain(`/workflows/${started.workflowId}`);
    // the Temporal UI's run details lead back to the web UI's page of the run
    const described = await temporalClient(stack.temporal, 'default')
      .workflow.getHandle(started.workflowId)
      .describe();
    expect(await described.staticDetails()).toContain(
      `[run page](${stack.config.publicUrl}/projects/${project}/runs/${started.id})`,
    );
    const run = await waitForRun(stack, project, started.id);
    expect(run.status).toBe('succeeded');
    expect(run.steps.map((s) => [s.id, s.status])).toEqual([
      ['root', 'succeeded'],
      ['left', 'succeeded'],
      ['right', 'succeeded'],
      ['join', 'succeeded'],
    ]);
    expect(step(run, 'join').outputs).toEqual({ joined: 'hi-left+hi-right' });
    for (const s of run.steps) {
      expect(s.exitCode).toBe(0);
      expect(new Date(s.finishedAt!).getTime()).toBeGreaterThanOrEqual(new Date(s.startedAt!).getTime());
    }
    expect(new Date(step(run, 'join').startedAt!).getTime()).toBeGreaterThanOrEqual(
      new Date(step(run, 'left').finishedAt!).getTime(),
    );
  });

  it('retries a flaky step with backoff and shows attempts: 3', async () => {
    const counter = path.join(scratch, 'flaky');
    await createPipeline(
      stack,
      project,
      `apiVersion: containerops/v1
kind: Pipeline
name: flaky
env: { COUNTER: "${counter}" }
steps:
  - id: flaky
    retry: { attempts: 3, backoff: 100ms, factor: 2 }
    run: |
      echo "attempt $CO_ATTEMPT" >> "$COUNTER"
      [ "$(wc -l < "$COUNTER")" -ge 3 ] || { echo "not yet" >&2; exit 7; }
      echo "done=yes" >> "$CO_OUTPUTS"
`,
    );
    const run = await waitForRun(stack, project, (await trigger(stack, project, 'flaky')).id);
    expect(run.status).toBe('succeeded');
    expect(step(run, 'flaky')).toMatchObject({ status: 'succeeded', attempts: 3, outputs: { done: 'yes' } });
    expect(fs.readFileSync(counter, 'utf8')).toBe('attempt 1\nattempt 2\nattempt 3\n');
  });

  it('fails the run on a failing step, skips its dependents, and still runs finally with run.status', async () => {
    await createPipeline(
      stack,
      project,
      `apiVersion: containerops/v1
kind: Pipeline
name: broken
steps:
  - id: ok
    run: "true"
  - id: boom
    needs: [ok]
    retry: { attempts: 2, backoff: 50ms }
    run: |
      echo "about to fail"
      exit 3
  - id: after
    needs: [boom]
    run: echo never
finally:
  - id: notify
    run: echo "seen=\${{ run.status }}" >> "$CO_OUTPUTS"
`,
    );
    const run = await waitForRun(stack, project, (await trigger(stack, project, 'broken')).id);
    expect(run.status).toBe('failed');
    expect(run.error).toContain('boom');
    expect(step(run, 'boom')).toMatchObject({ status: 'failed', attempts: 2, exitCode: 3 });
    expect(step(run, 'after').status).toBe('skipped');
    expect(step(run, 'notify')).toMatchObject({ status: 'succeeded', outputs: { seen: 'failed' } });
  });

  it('marks a step that outlives its timeout timed_out and kills its process', async () => {
    const pidFile = path.join(scratch, 'sleeper.pid');
    await createPipeline(
      stack,
      project,
      `apiVersion: containerops/v1
kind: Pipeline
name: sleeper
steps:
  - id: nap
    timeout: 1s
    run: |
      sleep 60 &
      echo $! > "${pidFile}"
      wait
`,
    );
    const run = await waitForRun(stack, project, (await trigger(stack, project, 'sleeper')).id);
    expect(run.status).toBe('failed');
    expect(step(run, 'nap').status).toBe('timed_out');
    const pid = Number(fs.readFileSync(pidFile, 'utf8'));
    expect(await eventually(() => (processAlive(pid) ? undefined : true), `pid ${pid} to exit`)).toBe(true);
  });

  it('ends a run that outlives its own timeout timed_out, stops its step and still runs finally', async () => {
    const pidFile = path.join(scratch, 'run-timeout.pid');
    await createPipeline(
      stack,
      project,
      `apiVersion: containerops/v1
kind: Pipeline
name: slowpoke
timeout: 2s
steps:
  - id: slow
    run: |
      echo $$ > "${pidFile}"
      sleep 60
  - id: never
    needs: [slow]
    run: "true"
finally:
  - id: after
    run: echo "saw=\${{ run.status }}" >> "$CO_OUTPUTS"
`,
    );
    const run = await waitForRun(stack, project, (await trigger(stack, project, 'slowpoke')).id);
    expect(run.status).toBe('timed_out');
    expect(run.error).toMatch(/timeout/);
    expect(step(run, 'slow').status).toBe('timed_out');
    expect(step(run, 'never').status).toBe('timed_out');
    expect(step(run, 'after')).toMatchObject({ status: 'succeeded', outputs: { saw: 'timed_out' } });
    expect(processAlive(Number(fs.readFileSync(pidFile, 'utf8')))).toBe(false);
  });

  it('runs matrix combinations, each recorded with its key', async () => {
    const counter = path.join(scratch, 'matrix');
    await createPipeline(
      stack,
      project,
      `apiVersion: containerops/v1
kind: Pipeline
name: grid
steps:
  - id: test
    matrix: { node: ["20", "22"], os: [linux, mac] }
    run: echo "\${{ matrix.node }}-\${{ matrix.os }}" >> "${counter}"
`,
    );
    const run = await waitForRun(stack, project, (await trigger(stack, project, 'grid')).id);
    expect(run.status).toBe('succeeded');
    expect(run.steps.map((s) => s.matrixKey)).toEqual([
      'node=20,os=linux',
      'node=20,os=mac',
      'node=22,os=linux',
      'node=22,os=mac',
    ]);
    expect(fs.readFileSync(counter, 'utf8').split('\n').filter(Boolean).sort()).toEqual([
      '20-linux',
      '20-mac',
      '22-linux',
      '22-mac',
    ]);
    expect(readCount(counter)).toBe(4);
  });
});

describe('large matrices', () => {
  it('fans a 1,122-way matrix out through child workflows and records every combination', async () => {
    const axis = (n: number) => `[${Array.from({ length: n }, (_, i) => `"${i}"`).join(', ')}]`;
    await createPipeline(
      stack,
      project,
      `apiVersion: containerops/v1
kind: Pipeline
name: wide
maxParallel: 16
steps:
  - id: fan
    matrix: { a: ${axis(33)}, b: ${axis(34)} }
    run: "true"
  - id: after
    needs: [fan]
    run: echo "ok=yes" >> "$CO_OUTPUTS"
`,
    );
    const started = await trigger(stack, project, 'wide');
    const run = await waitForRun(stack, project, started.id, 240_000);
    expect(run.status).toBe('succeeded');
    const fan = run.steps.filter((s) => s.id === 'fan');
    expect(fan).toHaveLength(33 * 34);
    expect(fan.every((s) => s.status === 'succeeded')).toBe(true);
    expect(new Set(fan.map((s) => s.matrixKey)).size).toBe(33 * 34);
    expect(step(run, 'after').outputs).toEqual({ ok: 'yes' });
    const children = await stack.temporal.workflowService.countWorkflowExecutions({
      namespace: 'default',
      query: `WorkflowType = 'matrixChunk' AND WorkflowId STARTS_WITH '${started.workflowId}'`,
    });
    expect(Number(children.count)).toBe(3);
  }, 300_000);
});

/**
 * Step chains (`chainSteps: true`): the plain steps of a linear pipeline run in one activity on
 * the real stack, each still recorded, retried, timed out, cancelled and rerun on its own.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import { temporalClient } from '../../../lib/temporal';
import { startStack, type Stack } from '../../support/stack';
import {
  createPipeline,
  createProject,
  eventually,
  processAlive,
  readCount,
  step,
  trigger,
  waitForRun,
  waitForStep,
} from '../../support/runs';

let stack: Stack;
let project: string;
let scratch: string;

beforeAll(async () => {
  stack = await startStack();
  project = await createProject(stack);
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'co-chains-'));
});
afterAll(async () => {
  await stack?.stop();
});

const pipeline = (name: string, body: string, chainSteps = true) =>
  `apiVersion: containerops/v1\nkind: Pipeline\nname: ${name}\nchainSteps: ${chainSteps}\n${body}`;

/** The step activities the run's workflow scheduled: type and Temporal UI summary. */
async function scheduledActivities(workflowId: string): Promise<Array<{ type: string; summary: string }>> {
  const handle = temporalClient(stack.temporal, 'default').workflow.getHandle(workflowId);
  const { events } = await handle.fetchHistory();
  return (events ?? [])
    .filter((e) => e.activityTaskScheduledEventAttributes)
    .map((e) => ({
      type: e.activityTaskScheduledEventAttributes!.activityType!.name!,
      summary: e.userMetadata?.summary
        ? defaultPayloadConverter.fromPayload<string>(e.userMetadata.summary)
        : '',
    }))
    .filter((a) => a.type === 'runStep' || a.type === 'runChain');
}

it('runs a linear pipeline’s steps in one activity named after them, each with its own record, outputs and log', async () => {
  const steps = `steps:
  - { id: make, run: 'echo 20 > n && echo "made=yes" >> "$CO_OUTPUTS"' }
  - { id: add, needs: [make], run: 'echo $(( $(cat n) + 1 )) > n; echo "added to $(cat n)"' }
  - { id: double, needs: [add], run: 'echo "n=$(( $(cat n) * 2 ))" >> "$CO_OUTPUTS"' }
  - { id: show, needs: [double], run: 'echo "exit code follows"; exit 0' }
`;
  await createPipeline(stack, project, pipeline('chained', steps));
  await createPipeline(stack, project, pipeline('unchained', steps, false));

  const chained = await waitForRun(stack, project, (await trigger(stack, project, 'chained')).id);
  expect(chained.status).toBe('succeeded');
  expect(chained.steps.map((s) => [s.id, s.status, s.attempts])).toEqual([
    ['make', 'succeeded', 1],
    ['add', 'succeeded', 1],
    ['double', 'succeeded', 1],
    ['show', 'succeeded', 1],
  ]);
  expect(step(chained, 'make').outputs).toEqual({ made: 'yes' });
  expect(step(chained, 'double').outputs).toEqual({ n: '42' });
  for (const s of chained.steps) expect(s.startedAt && s.finishedAt).toBeTruthy();
  const log = await stack.request('GET', `/api/v1/projects/${project}/runs/${chained.id}/steps/add/logs`);
  expect(await log.text()).toContain('added to 21');
  expect(await scheduledActivities(chained.workflowId)).toEqual([
    { type: 'runChain', summary: 'make → add → double → show' },
  ]);

  const unchained = await waitForRun(stack, project, (await trigger(stack, project, 'unchained')).id);
  expect(unchained.status).toBe('succeeded');
  expect(step(unchained, 'double').outputs).toEqual({ n: '42' });
  expect((await scheduledActivities(unchained.workflowId)).map((a) => a.type)).toEqual([
    'runStep',
    'runStep',
    'runStep',
    'runStep',
  ]);
});

it('retries a chained step under its own policy, and a step that fails skips the rest of the chain', async () => {
  const dir = fs.mkdtempSync(path.join(scratch, 'retry-'));
  await createPipeline(
    stack,
    project,
    pipeline(
      'flaky',
      `env: { DIR: "${dir}" }
steps:
  - { id: setup, run: "true" }
  - id: flaky
    needs: [setup]
    retry: { attempts: 3, backoff: 100ms }
    run: 'echo x >> "$DIR/flaky"; [ "$(wc -l < "$DIR/flaky")" -ge 2 ] || exit 7'
  - { id: broken, needs: [flaky], retry: { attempts: 2, backoff: 100ms }, run: 'echo x >> "$DIR/broken"; exit 3' }
  - { id: after, needs: [broken], run: 'echo x >> "$DIR/after"' }
`,
    ),
  );
  const run = await waitForRun(stack, project, (await trigger(stack, project, 'flaky')).id);
  expect(run.status).toBe('failed');
  expect(step(run, 'flaky')).toMatchObject({ status: 'succeeded', attempts: 2 });
  expect(step(run, 'broken')).toMatchObject({ status: 'failed', attempts: 2, exitCode: 3 });
  expect(step(run, 'after').status).toBe('skipped');
  expect([readCount(path.join(dir, 'flaky')), readCount(path.join(dir, 'broken'))]).toEqual([2, 2]);
  expect(readCount(path.join(dir, 'after'))).toBe(0);
  expect(run.error).toMatch(/step broken failed/);
  // the steps after the failure were never part of another activity
  expect((await scheduledActivities(run.workflowId)).map((a) => a.type)).toEqual(['runChain']);
});

it('times out a chained step on its own timeout', async () => {
  await createPipeline(
    stack,
    project,
    pipeline(
      'slow',
      `steps:
  - { id: quick, run: "true" }
  - { id: stuck, needs: [quick], timeout: 1s, run: "sleep 60" }
  - { id: never, needs: [stuck], run: "true" }
`,
    ),
  );
  const run = await waitForRun(stack, project, (await trigger(stack, project, 'slow')).id);
  expect(run.status).toBe('failed');
  expect(step(run, 'quick').status).toBe('succeeded');
  expect(step(run, 'stuck').status).toBe('timed_out');
  expect(step(run, 'never').status).toBe('skipped');
});

it('cancelling a chained run stops the running step and keeps what finished', async () => {
  const dir = fs.mkdtempSync(path.join(scratch, 'cancel-'));
  await createPipeline(
    stack,
    project,
    pipeline(
      'stoppable',
      `env: { DIR: "${dir}" }
steps:
  - { id: first, run: 'echo "ok=1" >> "$CO_OUTPUTS"' }
  - { id: long, needs: [first], run: 'echo $$ > "$DIR/pid"; sleep 600' }
  - { id: last, needs: [long], run: 'echo x >> "$DIR/last"' }
`,
    ),
  );
  const started = await trigger(stack, project, 'stoppable');
  await waitForStep(stack, project, started.id, 'long', 'running');
  const pid = await eventually(() => {
    const text = fs.existsSync(path.join(dir, 'pid')) ? fs.readFileSync(path.join(dir, 'pid'), 'utf8') : '';
    return text.trim() ? Number(text) : undefined;
  }, 'the long step to start');
  const res = await stack.request('POST', `/api/v1/projects/${project}/runs/${started.id}/cancel`);
  expect(res.status).toBe(202);
  const run = await waitForRun(stack, project, started.id);
  expect(run.status).toBe('cancelled');
  expect(step(run, 'first')).toMatchObject({ status: 'succeeded', outputs: { ok: '1' } });
  expect(step(run, 'long').status).toBe('cancelled');
  expect(step(run, 'last').status).toBe('cancelled');
  expect(readCount(path.join(dir, 'last'))).toBe(0);
  expect(processAlive(pid)).toBe(false);
});

it('rerun from failed re-executes a chained run from the step that failed', async () => {
  const dir = fs.mkdtempSync(path.join(scratch, 'rerun-'));
  const marker = path.join(dir, 'broken');
  fs.writeFileSync(marker, '');
  await createPipeline(
    stack,
    project,
    pipeline(
      'again',
      `env: { DIR: "${dir}" }
steps:
  - { id: a, run: 'echo x >> "$DIR/a"' }
  - { id: b, needs: [a], run: 'echo x >> "$DIR/b"; [ ! -e "$DIR/broken" ]' }
  - { id: c, needs: [b], run: 'echo x >> "$DIR/c"' }
`,
    ),
  );
  const first = await waitForRun(stack, project, (await trigger(stack, project, 'again')).id);
  expect(first.status).toBe('failed');
  fs.rmSync(marker);
  const res = await stack.request('POST', `/api/v1/projects/${project}/runs/${first.id}/rerun`, {
    from: 'failed',
  });
  expect(res.status).toBe(201);
  const rerun = await waitForRun(stack, project, ((await res.json()) as { id: string }).id);
  expect(rerun.status).toBe('succeeded');
  expect(step(rerun, 'a')).toMatchObject({ status: 'succeeded', reused: true });
  expect(['a', 'b', 'c'].map((f) => readCount(path.join(dir, f)))).toEqual([1, 2, 1]);
  expect(await scheduledActivities(rerun.workflowId)).toEqual([{ type: 'runChain', summary: 'b → c' }]);
});

it('a step that reads an earlier step’s outputs starts a chain of its own', async () => {
  await createPipeline(
    stack,
    project,
    pipeline(
      'reads',
      `steps:
  - { id: one, run: 'echo "v=7" >> "$CO_OUTPUTS"' }
  - { id: two, needs: [one], run: 'echo "w=\${{ steps.one.outputs.v }}" >> "$CO_OUTPUTS"' }
  - { id: three, needs: [two], run: "true" }
`,
    ),
  );
  const run = await waitForRun(stack, project, (await trigger(stack, project, 'reads')).id);
  expect(run.status).toBe('succeeded');
  expect(step(run, 'two').outputs).toEqual({ w: '7' });
  expect(await scheduledActivities(run.workflowId)).toEqual([
    { type: 'runStep', summary: 'one' },
    { type: 'runChain', summary: 'two → three' },
  ]);
});

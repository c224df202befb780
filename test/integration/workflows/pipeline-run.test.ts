/**
 * The `pipelineRun` workflow on the real Temporal dev server of the test run (TEMPORAL_ADDRESS,
 * set by the global setup), with its activities mocked: the interpreter's timeouts, retries,
 * fan-out and cancellation, with no process, pod or database behind them.
 *
 * Time skipping (`TestWorkflowEnvironment.createTimeSkipping()`) needs the SDK's test server,
 * which it downloads; offline it cannot, so these runs use real time and short durations
 * (approval and run timeouts of about a second, a 100 ms retry backoff).
 */
import { randomBytes } from 'node:crypto';
import { Context } from '@temporalio/activity';
import type { WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { compilePipelineSource } from '../../../pipeline';
import {
  STEP_ERROR_TYPES,
  type PipelineRunInput,
  type PipelineRunResult,
  type RunRecord,
  type RunStepInput,
  type RunStepResult,
  type StepRecord,
} from '../../../contract';
import { pipelineRun } from '../../../workflows/pipelineRun';
import { workflowBundle } from '../../support/stack';

jest.setTimeout(60_000);

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  env = await TestWorkflowEnvironment.createFromExistingServer({ address: process.env.TEMPORAL_ADDRESS });
  bundle = await workflowBundle();
});
afterAll(() => env?.teardown());

/** What the mocked activities saw, and how the mocked `runStep` behaves per script. */
class MockedActivities {
  readonly launches: RunStepInput[] = [];
  readonly steps: StepRecord[] = [];
  readonly runs: RunRecord[] = [];

  /** `fail-until-N`: fails attempts before N; `block`: runs until cancelled; else outputs `done=<step>`. */
  activities() {
    return {
      runStep: async (input: RunStepInput): Promise<RunStepResult> => {
        this.launches.push(input);
        const failUntil = /fail-until-(\d+)/.exec(input.script ?? '');
        if (failUntil && input.attempt < Number(failUntil[1]))
          throw ApplicationFailure.create({
            type: STEP_ERROR_TYPES.failed,
            message: 'step exited with code 1',
            details: [{ exitCode: 1, kind: 'exit', retryable: true }],
          });
        if (input.script === 'block') {
          const ctx = Context.current();
          for (;;) {
            ctx.heartbeat();
            await ctx.sleep(100); // throws once the workflow cancels the step
          }
        }
        return { outputs: { done: input.stepId }, exitCode: 0 };
      },
      recordSteps: async (records: StepRecord[]) => void this.steps.push(...records),
      recordRun: async (record: RunRecord) => void this.runs.push(record),
      triggerDownstream: async () => undefined,
    };
  }

  statusesOf(stepId: string): string[] {
    return this.steps.filter((r) => r.stepId === stepId).map((r) => r.status);
  }
}

function inputOf(yaml: string): PipelineRunInput {
  const compiled = compilePipelineSource(`apiVersion: containerops/v1\nkind: Pipeline\nname: wf\n${yaml}`);
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.errors));
  const runId = `wf${randomBytes(5).toString('hex')}`;
  return { runId, project: 'p', pipeline: 'wf', number: 1, plan: compiled.plan, params: {} };
}

/** Starts the run on a worker of its own task queue; `during` acts on the running workflow. */
async function run(
  yaml: string,
  during?: (handle: WorkflowHandle<typeof pipelineRun>) => Promise<void>,
  given: { mocks: MockedActivities; activities?: ReturnType<MockedActivities['activities']> } = {
    mocks: new MockedActivities(),
  },
) {
  const { mocks } = given;
  const input = inputOf(yaml);
  const taskQueue = `wf-${input.runId}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: bundle,
    activities: given.activities ?? mocks.activities(),
    // cancellation reaches an activity with its next heartbeat: let them through at once
    maxHeartbeatThrottleInterval: '100ms',
  });
  const { result, history } = await worker.runUntil(async () => {
    const handle = await env.client.workflow.start(pipelineRun, {
      taskQueue,
      workflowId: `run-${input.runId}`,
      args: [input],
    });
    await during?.(handle);
    const result: PipelineRunResult = await handle.result();
    return { result, history: await handle.fetchHistory() };
  });
  return { result, mocks, history };
}

test('an approval nobody decides times out, fails the run, and finally still runs', async () => {
  const { result, mocks } = await run(`steps:
  - { id: gate, approval: { approvers: ["user:admin"], timeout: 1s } }
  - { id: deploy, needs: [gate], run: "true" }
finally:
  - { id: report, run: "true" }
`);
  expect(result.status).toBe('failed');
  expect(result.steps.gate!.status).toBe('timed_out');
  expect(result.steps.deploy!.status).toBe('skipped');
  expect(result.steps.report!.status).toBe('succeeded');
  expect(mocks.steps.find((r) => r.stepId === 'gate' && r.status === 'timed_out')?.error).toBe(
    'no decision before the approval timeout',
  );
  expect(mocks.runs.at(-1)).toMatchObject({
    status: 'failed',
    error: expect.stringContaining('step gate timed_out'),
  });
});

test('the run timeout stops a running step as timed out, settles the rest, and finally sees run.status', async () => {
  const { result, mocks } = await run(`timeout: 1s
steps:
  - { id: long, run: block }
  - { id: after, needs: [long], run: "true" }
finally:
  - { id: report, if: 'run.status == "timed_out"', run: "true" }
`);
  expect(result.status).toBe('timed_out');
  expect(result.steps.long!.status).toBe('timed_out');
  expect(result.steps.after!.status).toBe('timed_out');
  expect(result.steps.report!.status).toBe('succeeded');
  expect(mocks.statusesOf('long')).toContain('timed_out');
  expect(mocks.runs.at(-1)).toMatchObject({
    status: 'timed_out',
    error: 'run exceeded its timeout of 1000 ms',
  });
});

test('a failing step is retried after its backoff, growing by its factor, until an attempt succeeds', async () => {
  const { result, mocks, history } = await run(`steps:
  - { id: flaky, run: fail-until-3, retry: { attempts: 3, backoff: 100ms, factor: 2 } }
`);
  expect(result.status).toBe('succeeded');
  expect(mocks.launches.map((l) => l.attempt)).toEqual([1, 2, 3]);
  const timers = history
    .events!.filter((e) => e.timerStartedEventAttributes)
    .map((e) => {
      const timeout = e.timerStartedEventAttributes!.startToFireTimeout!;
      return Number(String(timeout.seconds ?? 0)) * 1000 + Math.round((timeout.nanos ?? 0) / 1e6);
    });
  expect(timers).toEqual([100, 200]);
});

test('a step that runs out of attempts fails the run and skips its dependents', async () => {
  const { result, mocks } = await run(`steps:
  - { id: flaky, run: fail-until-9, retry: { attempts: 2, backoff: 10ms } }
  - { id: next, needs: [flaky], run: "true" }
`);
  expect(result.status).toBe('failed');
  expect(mocks.launches.filter((l) => l.stepId === 'flaky')).toHaveLength(2);
  expect(result.steps.next!.status).toBe('skipped');
});

test('a matrix over 100 combinations fans out through child workflows and gathers every combination', async () => {
  const values = (n: number) => `[${Array.from({ length: n }, (_, i) => `"${i}"`).join(', ')}]`;
  const { result, mocks, history } = await run(`maxParallel: 50
steps:
  - { id: grid, matrix: { a: ${values(11)}, b: ${values(10)} }, run: "true" }
  - { id: after, needs: [grid], run: "true" }
`);
  expect(result.status).toBe('succeeded');
  expect(result.steps.after!.status).toBe('succeeded');
  const combos = new Set(mocks.launches.filter((l) => l.stepId === 'grid').map((l) => l.matrixKey));
  expect(combos.size).toBe(110);
  const children = history.events!.filter((e) => e.startChildWorkflowExecutionInitiatedEventAttributes);
  expect(
    children.map((e) => e.startChildWorkflowExecutionInitiatedEventAttributes!.workflowType!.name),
  ).toEqual(['matrixChunk']);
});

test('the children of a wide matrix share all of maxParallel between them and never exceed it', async () => {
  const values = (n: number) => `[${Array.from({ length: n }, (_, i) => `"${i}"`).join(', ')}]`;
  const mocks = new MockedActivities();
  let running = 0;
  let peak = 0;
  const base = mocks.activities();
  const activities = {
    ...base,
    runStep: async (input: RunStepInput) => {
      peak = Math.max(peak, ++running);
      try {
        return await base.runStep(input);
      } finally {
        running--;
      }
    },
  };
  // 501 combinations: chunks of 500 and 1, two children at once, 3 slots
  const { result, history } = await run(
    `maxParallel: 3
steps:
  - { id: grid, matrix: { a: ${values(3)}, b: ${values(167)} }, run: "true" }
`,
    undefined,
    { mocks, activities },
  );
  expect(result.status).toBe('succeeded');
  expect(new Set(mocks.launches.map((l) => l.matrixKey)).size).toBe(501);
  const shares = history
    .events!.filter((e) => e.startChildWorkflowExecutionInitiatedEventAttributes)
    .map((e) => {
      const payload = e.startChildWorkflowExecutionInitiatedEventAttributes!.input!.payloads![0]!;
      return (JSON.parse(Buffer.from(payload.data!).toString('utf8')) as { concurrency: number }).concurrency;
    });
  expect(shares).toEqual([2, 1]); // 1 + 1 before: a third of the slots stayed idle
  expect(peak).toBeLessThanOrEqual(3);
});

test('cancelling a run cancels its running step and still runs finally with run.status cancelled', async () => {
  const { result, mocks } = await run(
    `steps:
  - { id: long, run: block }
  - { id: after, needs: [long], run: "true" }
finally:
  - { id: cleanup, if: 'run.status == "cancelled"', run: "true" }
`,
    async (handle) => {
      // cancel once the step's activity is running
      const pending = async () => (await handle.describe()).raw.pendingActivities?.length ?? 0;
      while ((await pending()) === 0) await new Promise((r) => setTimeout(r, 50));
      await handle.cancel();
    },
  );
  expect(result.status).toBe('cancelled');
  expect(result.steps.long!.status).toBe('cancelled');
  expect(result.steps.after!.status).toBe('cancelled');
  expect(result.steps.cleanup!.status).toBe('succeeded');
  expect(mocks.statusesOf('long')).toContain('cancelled');
  expect(mocks.runs.at(-1)).toMatchObject({ status: 'cancelled' });
});

import fs from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { spawnSync } from 'node:child_process';
import { findTemporalCli } from '../../scripts/temporal-cli';
import { startStack, workflowBundle, type Stack } from '../support/stack';
import { createPipeline, createProject, trigger, waitForRun, waitForStep } from '../support/runs';

/**
 * Replays recorded histories of the interpreter against today's workflow code, so a change that
 * would break running workflows (non-determinism) fails here before it ships. Changes that must
 * alter the command sequence go behind `patched()`. `RECORD_HISTORIES=1` records the fixtures
 * that are missing (`RECORD_HISTORIES=all` re-records them all): a fixture recorded before a
 * change is what proves the change replays.
 */
const DIR = path.resolve(__dirname, '../fixtures/histories');

const PIPELINE = `apiVersion: containerops/v1
kind: Pipeline
name: recorded
params:
  - { name: who, default: world }
steps:
  - id: root
    run: echo "greeting=hello \${{ params.who }}" >> "$CO_OUTPUTS"
  - id: grid
    needs: [root]
    matrix: { n: ["1", "2"] }
    run: echo "n=\${{ matrix.n }}" >> "$CO_OUTPUTS"
  - id: flaky
    needs: [root]
    retry: { attempts: 2, backoff: 10ms }
    run: '[ "$CO_ATTEMPT" -ge 2 ]'
  - id: gate
    needs: [grid, flaky]
    approval: { approvers: ["user:admin"] }
  - id: skipped
    needs: [gate]
    if: 'params.who == "nobody"'
    run: "false"
finally:
  - id: report
    run: echo "status=\${{ run.status }}" >> "$CO_OUTPUTS"
`;

/** A linear pipeline run as a step chain: a retried step inside the chain, then one that fails. */
const CHAINED = `apiVersion: containerops/v1
kind: Pipeline
name: chained
chainSteps: true
steps:
  - { id: first, run: 'echo "n=1" >> "$CO_OUTPUTS"' }
  - { id: flaky, needs: [first], retry: { attempts: 2, backoff: 10ms }, run: '[ "$CO_ATTEMPT" -ge 2 ]' }
  - { id: broken, needs: [flaky], run: "exit 3" }
  - { id: never, needs: [broken], run: "true" }
finally:
  - id: report
    run: echo "status=\${{ run.status }}" >> "$CO_OUTPUTS"
`;

const RECORDINGS: Array<{ file: string; record: (stack: Stack, project: string) => Promise<string> }> = [
  {
    file: 'pipeline-run-approval-matrix-retry.json',
    async record(stack, project) {
      await createPipeline(stack, project, PIPELINE);
      const run = await trigger(stack, project, 'recorded');
      await waitForStep(stack, project, run.id, 'gate', 'waiting');
      await stack.request('POST', `/api/v1/projects/${project}/runs/${run.id}/steps/gate/approval`, {
        decision: 'approve',
      });
      await waitForRun(stack, project, run.id);
      return run.id;
    },
  },
  {
    file: 'pipeline-run-step-chain.json',
    async record(stack, project) {
      await createPipeline(stack, project, CHAINED);
      const run = await trigger(stack, project, 'chained');
      await waitForRun(stack, project, run.id);
      return run.id;
    },
  },
];

async function record(stack: Stack, file: string, runId: string): Promise<void> {
  // the CLI writes the proto3 JSON form that replay reads
  const shown = spawnSync(
    findTemporalCli()!,
    [
      'workflow',
      'show',
      '--workflow-id',
      `run-${runId}`,
      '--address',
      stack.config.TEMPORAL_ADDRESS,
      '--output',
      'json',
    ],
    { encoding: 'utf8' },
  );
  if (shown.status !== 0) throw new Error(shown.stderr);
  fs.mkdirSync(DIR, { recursive: true });
  fs.writeFileSync(path.join(DIR, file), shown.stdout);
}

it('today’s workflow code replays every recorded run history', async () => {
  const wanted = RECORDINGS.filter(
    (r) => process.env.RECORD_HISTORIES === 'all' || !fs.existsSync(path.join(DIR, r.file)),
  );
  if (process.env.RECORD_HISTORIES && wanted.length) {
    const stack = await startStack();
    try {
      const project = await createProject(stack);
      for (const r of wanted) await record(stack, r.file, await r.record(stack, project));
    } finally {
      await stack.stop();
    }
  }
  const files = fs.readdirSync(DIR).filter((f) => f.endsWith('.json'));
  expect(files.length).toBeGreaterThan(0);
  const histories = files.map((f) => ({
    workflowId: f,
    history: JSON.parse(fs.readFileSync(path.join(DIR, f), 'utf8')) as unknown,
  }));
  const results = [];
  for await (const result of Worker.runReplayHistories(
    { workflowBundle: await workflowBundle() },
    histories,
  )) {
    results.push({ workflowId: result.workflowId, error: result.error?.message });
  }
  expect(results).toEqual(files.map((f) => ({ workflowId: f, error: undefined })));
}, 240_000); // bundling the workflows alone can take a minute on a loaded 2-core machine

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
 * alter the command sequence go behind `patched()`. `RECORD_HISTORIES=1` re-records the fixtures.
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

async function record(stack: Stack): Promise<void> {
  const project = await createProject(stack);
  await createPipeline(stack, project, PIPELINE);
  const run = await trigger(stack, project, 'recorded');
  await waitForStep(stack, project, run.id, 'gate', 'waiting');
  await stack.request('POST', `/api/v1/projects/${project}/runs/${run.id}/steps/gate/approval`, {
    decision: 'approve',
  });
  await waitForRun(stack, project, run.id);
  // the CLI writes the proto3 JSON form that replay reads
  const shown = spawnSync(
    findTemporalCli()!,
    [
      'workflow',
      'show',
      '--workflow-id',
      `run-${run.id}`,
      '--address',
      stack.config.TEMPORAL_ADDRESS,
      '--output',
      'json',
    ],
    { encoding: 'utf8' },
  );
  if (shown.status !== 0) throw new Error(shown.stderr);
  fs.mkdirSync(DIR, { recursive: true });
  fs.writeFileSync(path.join(DIR, 'pipeline-run-approval-matrix-retry.json'), shown.stdout);
}

it('today’s workflow code replays every recorded run history', async () => {
  if (process.env.RECORD_HISTORIES) {
    const stack = await startStack();
    try {
      await record(stack);
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

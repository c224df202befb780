import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startStack, type Stack } from '../../support/stack';
import {
  createPipeline,
  createProject,
  eventually,
  getRun,
  trigger,
  waitForRun,
  type RunView,
} from '../../support/runs';

/** The step holds its group until the test creates its gate file. */
const gated = (name: string, concurrency: string) => `apiVersion: containerops/v1
kind: Pipeline
name: ${name}
params:
  - { name: gate, required: true }
  - { name: env, default: prod }
concurrency: ${concurrency}
steps:
  - id: deploy
    run: |
      while [ ! -e "$PARAM_GATE" ]; do sleep 0.05; done
      echo "env=\${{ params.env }}" >> "$CO_OUTPUTS"
`;

let stack: Stack;
let project: string;
let dir: string;

beforeAll(async () => {
  stack = await startStack();
  project = await createProject(stack);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'co-gates-'));
  await createPipeline(stack, project, gated('deploy', "{ group: 'deploy-${{ params.env }}' }"));
  await createPipeline(stack, project, gated('hotfix', '{ group: urgent, cancelInProgress: true }'));
});
afterAll(async () => {
  await stack.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const gate = (name: string) => path.join(dir, name);
const open = (name: string) => fs.writeFileSync(gate(name), '');
type Waiting = RunView & { waitingFor?: { concurrencyGroup: string; heldBy?: string; ahead?: string[] } };
const status = (run: RunView, s: string) => async () => {
  const r = await getRun(stack, project, run.id);
  return r.status === s ? (r as Waiting) : undefined;
};

describe('concurrency groups', () => {
  it('runs one run of a group at a time, the others queued in order, across a worker restart', async () => {
    const first = await trigger(stack, project, 'deploy', { gate: gate('a') });
    await eventually(status(first, 'running'), 'the first run to hold the group');
    const second = await trigger(stack, project, 'deploy', { gate: gate('b') });
    const third = await trigger(stack, project, 'deploy', { gate: gate('c') });
    const elsewhere = await trigger(stack, project, 'deploy', { gate: gate('s'), env: 'staging' });

    const queued = await eventually(async () => {
      const r = (await getRun(stack, project, third.id)) as Waiting;
      return r.waitingFor?.ahead?.length === 1 ? r : undefined;
    }, 'the third run to be queued behind the second');
    expect(queued.status).toBe('queued');
    expect(queued.waitingFor).toEqual({
      concurrencyGroup: 'deploy-prod',
      heldBy: first.id,
      ahead: [second.id],
    });
    // another group key (evaluated when the run was triggered) does not wait
    open('s');
    expect((await waitForRun(stack, project, elsewhere.id)).status).toBe('succeeded');
    expect((await getRun(stack, project, second.id)).status).toBe('queued');

    // the queue is Temporal's: a new worker takes it over with every place kept
    await stack.worker!.stop();
    await stack.startWorker();

    open('b');
    open('c');
    expect((await getRun(stack, project, second.id)).status).toBe('queued');
    open('a');
    const runs = [];
    for (const r of [first, second, third]) runs.push(await waitForRun(stack, project, r.id, 90_000));
    expect(runs.map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    const rows = await stack.db.run.findMany({ where: { id: { in: runs.map((r) => r.id) } } });
    const byId = new Map(rows.map((r) => [r.id, r]));
    const [a, b, c] = runs.map((r) => byId.get(r.id)!);
    expect(b!.startedAt!.getTime()).toBeGreaterThanOrEqual(a!.finishedAt!.getTime());
    expect(c!.startedAt!.getTime()).toBeGreaterThanOrEqual(b!.finishedAt!.getTime());
  });

  it('with cancelInProgress, a new run cancels the one holding the group and then runs', async () => {
    const first = await trigger(stack, project, 'hotfix', { gate: gate('never') });
    await eventually(status(first, 'running'), 'the first hotfix to run');
    open('h2');
    const second = await trigger(stack, project, 'hotfix', { gate: gate('h2') });
    const cancelled = await waitForRun(stack, project, first.id);
    expect(cancelled.status).toBe('cancelled');
    const done = await waitForRun(stack, project, second.id);
    expect(done.status).toBe('succeeded');
    const [a, b] = await Promise.all(
      [first, second].map((r) => stack.db.run.findUniqueOrThrow({ where: { id: r.id } })),
    );
    expect(b!.startedAt!.getTime()).toBeGreaterThanOrEqual(a!.finishedAt!.getTime());
  });
});

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startStack, type Stack } from '../../support/stack';
import {
  createPipeline,
  createProject,
  eventually,
  getRun,
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
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'co-control-'));
});
afterAll(async () => {
  await stack?.stop();
});

const approvalPipeline = (name: string) => `apiVersion: containerops/v1
kind: Pipeline
name: ${name}
steps:
  - id: build
    run: echo "version=1.2.3" >> "$CO_OUTPUTS"
  - id: gate
    needs: [build]
    approval: { approvers: ["user:admin"] }
  - id: ship
    needs: [gate]
    run: echo "shipped=\${{ steps.build.outputs.version }}" >> "$CO_OUTPUTS"
`;

describe('controlling runs', () => {
  it('cancelling a run mid-step kills the process and ends cancelled, then runs finally', async () => {
    const pidFile = path.join(scratch, 'long.pid');
    await createPipeline(
      stack,
      project,
      `apiVersion: containerops/v1
kind: Pipeline
name: long
steps:
  - id: long
    run: |
      echo $$ > "${pidFile}"
      sleep 120
  - id: next
    needs: [long]
    run: echo never
finally:
  - id: cleanup
    run: echo "saw=\${{ run.status }}" >> "$CO_OUTPUTS"
`,
    );
    const started = await trigger(stack, project, 'long');
    const pid = await eventually(
      () =>
        fs.existsSync(pidFile) && fs.readFileSync(pidFile, 'utf8').trim()
          ? Number(fs.readFileSync(pidFile, 'utf8'))
          : undefined,
      'the step to start',
    );
    expect(processAlive(pid)).toBe(true);
    const res = await stack.request('POST', `/api/v1/projects/${project}/runs/${started.id}/cancel`);
    expect(res.status).toBe(202);
    const run = await waitForRun(stack, project, started.id);
    expect(run.status).toBe('cancelled');
    expect(processAlive(pid)).toBe(false);
    expect(step(run, 'long').status).toBe('cancelled');
    expect(step(run, 'next').status).toBe('cancelled');
    expect(step(run, 'cleanup')).toMatchObject({ status: 'succeeded', outputs: { saw: 'cancelled' } });
    const again = await stack.request('POST', `/api/v1/projects/${project}/runs/${started.id}/cancel`);
    expect(again.status).toBe(409);
  });

  it('an approval step waits until approved, then the run goes on', async () => {
    await createPipeline(stack, project, approvalPipeline('release'));
    const started = await trigger(stack, project, 'release');
    await waitForStep(stack, project, started.id, 'gate', 'waiting');
    // the run's own status follows the step's in a separate record
    const waiting = await eventually(async () => {
      const run = await getRun(stack, project, started.id);
      return run.status === 'waiting' ? run : undefined;
    }, 'the run to be waiting');
    expect(step(waiting, 'ship').status).toBe('pending');
    const res = await stack.request(
      'POST',
      `/api/v1/projects/${project}/runs/${started.id}/steps/gate/approval`,
      {
        decision: 'approve',
        comment: 'ship it',
      },
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'succeeded', decision: 'approve', by: 'admin' });
    const run = await waitForRun(stack, project, started.id);
    expect(run.status).toBe('succeeded');
    expect(step(run, 'ship').outputs).toEqual({ shipped: '1.2.3' });
    expect(step(run, 'gate')).toMatchObject({
      status: 'succeeded',
      approval: { decision: 'approve', by: 'admin', comment: 'ship it' },
    });
    const late = await stack.request(
      'POST',
      `/api/v1/projects/${project}/runs/${started.id}/steps/gate/approval`,
      { decision: 'reject' },
    );
    expect(late.status).toBe(409);
  });

  it('a rejection fails the approval step and the run', async () => {
    const started = await trigger(stack, project, 'release');
    await waitForStep(stack, project, started.id, 'gate', 'waiting');
    const bad = await stack.request(
      'POST',
      `/api/v1/projects/${project}/runs/${started.id}/steps/gate/approval`,
      { decision: 'maybe' },
    );
    expect(bad.status).toBe(422);
    const res = await stack.request(
      'POST',
      `/api/v1/projects/${project}/runs/${started.id}/steps/gate/approval`,
      {
        decision: 'reject',
        comment: 'not today',
      },
    );
    expect(res.status).toBe(200);
    const run = await waitForRun(stack, project, started.id);
    expect(run.status).toBe('failed');
    expect(step(run, 'gate').status).toBe('failed');
    expect(step(run, 'ship').status).toBe('skipped');
  });

  it('rerun from failed re-executes only the failed branch, in the first run’s workspace, and ends with a clean run’s outputs', async () => {
    const dir = fs.mkdtempSync(path.join(scratch, 'rerun-'));
    const marker = path.join(dir, 'broken');
    fs.writeFileSync(marker, 'x');
    await createPipeline(
      stack,
      project,
      `apiVersion: containerops/v1
kind: Pipeline
name: branches
env: { DIR: "${dir}" }
steps:
  - id: root
    run: |
      echo x >> "$DIR/root"
      echo 42 > seed.txt
      echo "seed=42" >> "$CO_OUTPUTS"
  - id: stable
    needs: [root]
    run: |
      echo x >> "$DIR/stable"
      echo "a=\${{ steps.root.outputs.seed }}-stable" >> "$CO_OUTPUTS"
  - id: fragile
    needs: [root]
    run: |
      echo x >> "$DIR/fragile"
      [ ! -e "$DIR/broken" ]
      echo "b=$(cat seed.txt)-fragile" >> "$CO_OUTPUTS"
  - id: join
    needs: [stable, fragile]
    run: |
      echo x >> "$DIR/join"
      echo "all=\${{ steps.stable.outputs.a }}/\${{ steps.fragile.outputs.b }}" >> "$CO_OUTPUTS"
`,
    );
    const first = await waitForRun(stack, project, (await trigger(stack, project, 'branches')).id);
    expect(first.status).toBe('failed');
    expect(step(first, 'join').status).toBe('skipped');

    fs.rmSync(marker);
    const res = await stack.request('POST', `/api/v1/projects/${project}/runs/${first.id}/rerun`, {
      from: 'failed',
    });
    expect(res.status).toBe(201);
    const rerun = await waitForRun(stack, project, ((await res.json()) as { id: string }).id);
    expect(rerun.status).toBe('succeeded');
    expect(rerun.number).toBe(first.number + 1);
    expect([readCount(path.join(dir, 'root')), readCount(path.join(dir, 'stable'))]).toEqual([1, 1]);
    expect([readCount(path.join(dir, 'fragile')), readCount(path.join(dir, 'join'))]).toEqual([2, 1]);
    expect(step(rerun, 'root')).toMatchObject({ status: 'succeeded', reused: true });

    const clean = await waitForRun(stack, project, (await trigger(stack, project, 'branches')).id);
    expect(clean.status).toBe('succeeded');
    const outputsOf = (r: typeof clean) => Object.fromEntries(r.steps.map((s) => [s.id, s.outputs]));
    expect(outputsOf(rerun)).toEqual(outputsOf(clean));

    const nothing = await stack.request('POST', `/api/v1/projects/${project}/runs/${clean.id}/rerun`, {
      from: 'failed',
    });
    expect(nothing.status).toBe(409);
  });

  it('the same Idempotency-Key returns the same run, never two', async () => {
    await createPipeline(
      stack,
      project,
      `apiVersion: containerops/v1\nkind: Pipeline\nname: once\nsteps:\n  - { id: a, run: "true" }\n`,
    );
    const send = () =>
      stack.request(
        'POST',
        `/api/v1/projects/${project}/pipelines/once/runs`,
        { params: {} },
        { headers: { 'idempotency-key': 'deploy-123' } },
      );
    const [a, b] = await Promise.all([send(), send()]);
    const bodies = (await Promise.all([a.json(), b.json()])) as Array<{ id: string }>;
    expect(bodies[0]!.id).toBe(bodies[1]!.id);
    expect([a.status, b.status].sort()).toEqual([200, 201]);
    const list = (await (
      await stack.request('GET', `/api/v1/projects/${project}/runs?pipeline=once`)
    ).json()) as { items: unknown[] };
    expect(list.items).toHaveLength(1);
  });

  it('answers 422 with path and line for invalid YAML and creates nothing', async () => {
    const res = await stack.request(
      'POST',
      `/api/v1/projects/${project}/pipelines`,
      `apiVersion: containerops/v1\nkind: Pipeline\nname: bad\nsteps:\n  - id: a\n    run: "true"\n    needs: [ghost]\n`,
    );
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const body = (await res.json()) as {
      errors: Array<{ path: string; line: number; col: number; message: string }>;
    };
    expect(body.errors).toEqual([expect.objectContaining({ path: 'steps[0].needs[0]', line: 7 })]);
    const get = await stack.request('GET', `/api/v1/projects/${project}/pipelines/bad`);
    expect(get.status).toBe(404);
  });

  it('answers 404 for unknown projects, pipelines and runs, and 422 for unknown params', async () => {
    expect((await stack.request('GET', `/api/v1/projects/nope/runs`)).status).toBe(404);
    expect((await stack.request('POST', `/api/v1/projects/${project}/pipelines/nope/runs`, {})).status).toBe(
      404,
    );
    expect(
      (await stack.request('GET', `/api/v1/projects/${project}/runs/00000000-0000-0000-0000-000000000000`))
        .status,
    ).toBe(404);
    expect((await stack.request('GET', `/api/v1/projects/${project}/runs/not-a-uuid`)).status).toBe(404);
    const res = await stack.request('POST', `/api/v1/projects/${project}/pipelines/once/runs`, {
      params: { nope: 1 },
    });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { errors: unknown[] }).errors).toEqual([
      expect.objectContaining({ path: 'params.nope' }),
    ]);
    const runs = (await (
      await stack.request('GET', `/api/v1/projects/${project}/runs?pipeline=once`)
    ).json()) as { items: unknown[] };
    expect(runs.items).toHaveLength(1);
    expect((await getRun(stack, project, (runs.items[0] as { id: string }).id)).status).toBeDefined();
  });
});

import crypto from 'node:crypto';
import { startStack, type Stack } from '../../support/stack';
import { createPipeline, createProject } from '../../support/runs';

/** GET of a run shows every field of its step rows as they are stored (the read is one statement). */

const PIPELINE = `apiVersion: containerops/v1
kind: Pipeline
name: view
steps:
  - id: build
    run: "true"
    matrix: { os: [linux, mac] }
  - id: gate
    needs: [build]
    approval: { approvers: ["user:admin"] }
  - id: ship
    needs: [gate]
    run: "true"
`;

let stack: Stack;
let project: string;
let other: string;
let runId: string;

async function getJson(path: string): Promise<{ status: number; body: Record<string, any> }> {
  const res = await stack.request('GET', path);
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

beforeAll(async () => {
  stack = await startStack({ worker: false });
  project = await createProject(stack);
  other = await createProject(stack);
  await createPipeline(stack, project, PIPELINE);
  const version = await stack.db.pipelineVersion.findFirstOrThrow({
    where: { pipeline: { name: 'view', project: { name: project } } },
    include: { pipeline: true },
  });
  runId = crypto.randomUUID();
  await stack.db.run.create({
    data: {
      id: runId,
      projectId: version.pipeline.projectId,
      pipelineId: version.pipelineId,
      pipelineVersionId: version.id,
      number: 7,
      status: 'running',
      params: { region: 'eu' },
      trigger: 'manual',
      workflowId: `run-${runId}`,
      startedAt: new Date('2026-01-02T03:04:05.678Z'),
    },
  });
});
afterAll(async () => {
  await stack?.stop();
});

test('a run with no step rows yet shows every step pending', async () => {
  const { status, body } = await getJson(`/api/v1/projects/${project}/runs/${runId}`);
  expect(status).toBe(200);
  expect(body).toMatchObject({ id: runId, number: 7, status: 'running', params: { region: 'eu' } });
  expect(body.startedAt).toBe('2026-01-02T03:04:05.678Z');
  expect(body.steps.map((s: any) => [s.id, s.status])).toEqual([
    ['build', 'pending'],
    ['gate', 'pending'],
    ['ship', 'pending'],
  ]);
});

test('step rows show their matrix, outputs, exit code, approval and memo fields as stored', async () => {
  const row = { runId, attempt: 1 };
  await stack.db.stepRun.createMany({
    data: [
      {
        ...row,
        id: crypto.randomUUID(),
        stepId: 'build',
        matrixKey: 'os=mac',
        matrix: { os: 'mac' },
        status: 'failed',
        exitCode: 3,
        error: 'exit 3',
        attempt: 2,
      },
      {
        ...row,
        id: crypto.randomUUID(),
        stepId: 'build',
        matrixKey: 'os=linux',
        matrix: { os: 'linux' },
        status: 'succeeded',
        exitCode: 0,
        outputs: { version: '1.2.3' },
        reused: true,
        fingerprint: `sha256:${'a'.repeat(64)}`,
        fingerprintInputs: [{ name: 'src', digest: 'sha256:b' }],
        cachedFromRunId: runId,
        cachedFromNumber: 6,
        startedAt: new Date('2026-01-02T03:04:06.000Z'),
        finishedAt: new Date('2026-01-02T03:04:07.500Z'),
      },
      {
        ...row,
        id: crypto.randomUUID(),
        stepId: 'gate',
        status: 'succeeded',
        decision: 'approved',
        decidedBy: 'admin',
        decidedAt: new Date('2026-01-02T03:05:00.000Z'),
        comment: 'ship it',
      },
    ],
  });
  const { body } = await getJson(`/api/v1/projects/${project}/runs/${runId}`);
  const [linux, mac, gate, ship] = body.steps;
  expect(linux).toMatchObject({
    id: 'build',
    matrixKey: 'os=linux',
    matrix: { os: 'linux' },
    status: 'succeeded',
    attempts: 1,
    exitCode: 0,
    outputs: { version: '1.2.3' },
    reused: true,
    cached: true,
    cachedFrom: { runId, number: 6 },
    fingerprint: { digest: `sha256:${'a'.repeat(64)}`, inputs: [{ name: 'src', digest: 'sha256:b' }] },
    startedAt: '2026-01-02T03:04:06.000Z',
    finishedAt: '2026-01-02T03:04:07.500Z',
  });
  expect(mac).toMatchObject({
    matrixKey: 'os=mac',
    status: 'failed',
    attempts: 2,
    exitCode: 3,
    error: 'exit 3',
    reused: false,
  });
  expect(mac.cached).toBeUndefined();
  expect(gate).toMatchObject({
    id: 'gate',
    approval: { decision: 'approved', by: 'admin', at: '2026-01-02T03:05:00.000Z', comment: 'ship it' },
  });
  expect(ship).toMatchObject({ id: 'ship', status: 'pending' });
});

test('the run is not found through another project, nor under a malformed id', async () => {
  expect((await getJson(`/api/v1/projects/${other}/runs/${runId}`)).status).toBe(404);
  expect((await getJson(`/api/v1/projects/${project}/runs/not-a-uuid`)).status).toBe(404);
  expect((await getJson(`/api/v1/projects/${project}/runs/${crypto.randomUUID()}`)).status).toBe(404);
});

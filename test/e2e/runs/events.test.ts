import { ADMIN_TOKEN, startStack, type Stack } from '../../support/stack';
import { createPipeline, createProject, trigger, waitForRun, waitForStep } from '../../support/runs';
import { openSse, type SseEvent } from '../logs/sse-client';

let stack: Stack;
let project: string;

beforeAll(async () => {
  stack = await startStack();
  project = await createProject(stack);
});
afterAll(async () => {
  await stack?.stop();
});

const gated = `apiVersion: containerops/v1
kind: Pipeline
name: gated
steps:
  - id: build
    run: echo built
  - id: gate
    needs: [build]
    approval: { approvers: ["user:admin"] }
  - id: ship
    needs: [gate]
    run: echo "shipped=yes" >> "$CO_OUTPUTS"
`;

async function collect(stream: Awaited<ReturnType<typeof openSse>>): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  for (let ev = await stream.next(); ev; ev = await stream.next()) events.push(ev);
  return events;
}

describe('run events (Server-Sent Events)', () => {
  it('sends a snapshot, then each step change and the run status, then ends with the run', async () => {
    await createPipeline(stack, project, gated);
    const run = await trigger(stack, project, 'gated');
    await waitForStep(stack, project, run.id, 'gate', 'waiting');
    const url = `${stack.url}/api/v1/projects/${project}/runs/${run.id}/events`;
    const stream = await openSse(url, { authorization: `Bearer ${ADMIN_TOKEN}` });
    expect(stream.status).toBe(200);
    expect(stream.contentType).toMatch(/^text\/event-stream/);

    const first = (await stream.next())!;
    expect(first.event).toBe('snapshot');
    const snapshot = JSON.parse(first.data);
    expect(snapshot.status).toBe('waiting');
    expect(snapshot.steps.map((s: { id: string; status: string }) => [s.id, s.status])).toEqual([
      ['build', 'succeeded'],
      ['gate', 'waiting'],
      ['ship', 'pending'],
    ]);

    const approved = await stack.request(
      'POST',
      `/api/v1/projects/${project}/runs/${run.id}/steps/gate/approval`,
      {
        decision: 'approve',
      },
    );
    expect(approved.status).toBe(200);
    const events = await collect(stream);
    const steps = events.filter((e) => e.event === 'step').map((e) => JSON.parse(e.data));
    expect(steps.find((s) => s.id === 'gate' && s.status === 'succeeded')).toMatchObject({
      approval: { decision: 'approve', by: 'admin' },
    });
    expect(steps.filter((s) => s.id === 'ship').at(-1)).toMatchObject({
      status: 'succeeded',
      outputs: { shipped: 'yes' },
    });
    const statuses = events.filter((e) => e.event === 'run').map((e) => JSON.parse(e.data).status);
    expect(statuses.at(-1)).toBe('succeeded');
    expect(events.at(-1)!.event).toBe('end');
    expect((await waitForRun(stack, project, run.id)).status).toBe('succeeded');
  });

  it('a finished run gets its snapshot and the end at once', async () => {
    await createPipeline(
      stack,
      project,
      'apiVersion: containerops/v1\nkind: Pipeline\nname: quick\nsteps:\n  - id: only\n    run: "true"\n',
    );
    const run = await waitForRun(stack, project, (await trigger(stack, project, 'quick')).id);
    const url = `${stack.url}/api/v1/projects/${project}/runs/${run.id}/events`;
    const events = await collect(await openSse(url, { authorization: `Bearer ${ADMIN_TOKEN}` }));
    expect(events.map((e) => e.event)).toEqual(['snapshot', 'end']);
    expect(JSON.parse(events[0]!.data)).toMatchObject({
      status: 'succeeded',
      steps: [{ id: 'only', status: 'succeeded' }],
    });
  });

  it('is 404 for a run of another project and 401 without a token', async () => {
    const other = await createProject(stack);
    await createPipeline(stack, other, gated);
    const run = await trigger(stack, other, 'gated');
    const wrong = await stack.request('GET', `/api/v1/projects/${project}/runs/${run.id}/events`);
    expect(wrong.status).toBe(404);
    const anonymous = await stack.request(
      'GET',
      `/api/v1/projects/${other}/runs/${run.id}/events`,
      undefined,
      {
        token: null,
      },
    );
    expect(anonymous.status).toBe(401);
  });
});

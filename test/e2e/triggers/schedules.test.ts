import { Client, ScheduleNotFoundError } from '@temporalio/client';
import { startStack, type Stack } from '../../support/stack';
import { createPipeline, createProject, eventually, waitForRun, type RunView } from '../../support/runs';

const pipeline = (cron: string) => `apiVersion: containerops/v1
kind: Pipeline
name: nightly
params:
  - { name: target, default: api }
on:
  schedule: [ { cron: '${cron}', timezone: Europe/Paris, params: { target: scheduled } } ]
steps:
  - id: hello
    run: echo "target=\${{ params.target }} event=\${{ trigger.event }}" >> "$CO_OUTPUTS"
`;

interface ScheduleView {
  id: string;
  cron: string;
  timezone: string;
  paused: boolean;
  temporalScheduleId: string;
  nextRunAt: string[];
  links: { temporal: string };
}

let stack: Stack;
let client: Client;
let project: string;

beforeAll(async () => {
  stack = await startStack();
  client = new Client({ connection: stack.temporal, namespace: stack.config.TEMPORAL_NAMESPACE });
  project = await createProject(stack);
});
afterAll(async () => {
  await stack.stop();
});

const base = () => `/api/v1/projects/${project}/pipelines/nightly`;
async function schedules(): Promise<ScheduleView[]> {
  const res = await stack.request('GET', `${base()}/schedules`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { items: ScheduleView[] }).items;
}
async function scheduledRuns(): Promise<(RunView & { trigger: string })[]> {
  const res = await stack.request('GET', `/api/v1/projects/${project}/runs?pipeline=nightly`);
  return ((await res.json()) as { items: (RunView & { trigger: string })[] }).items;
}

describe('schedules', () => {
  it('runs a per-minute schedule as a Temporal Schedule, and pausing it stops further runs', async () => {
    await createPipeline(stack, project, pipeline('* * * * *'));
    const [schedule] = await schedules();
    expect(schedule).toMatchObject({ cron: '* * * * *', timezone: 'Europe/Paris', paused: false });
    expect(schedule!.links.temporal).toContain(`/schedules/${schedule!.temporalScheduleId}`);
    // what Temporal's UI lists
    const described = await client.schedule.getHandle(schedule!.temporalScheduleId).describe();
    expect(described.spec.timezone).toBe('Europe/Paris');
    expect(described.memo).toMatchObject({ project, pipeline: 'nightly' });

    const first = await eventually(async () => (await scheduledRuns())[0], 'a scheduled run', 75_000);
    expect(first.trigger).toBe('schedule');
    const done = await waitForRun(stack, project, first.id);
    expect(done.status).toBe('succeeded');
    expect(done.steps[0]!.outputs).toEqual({ target: 'scheduled event=schedule' });

    const paused = await stack.request('POST', `${base()}/schedules/${schedule!.id}/pause`);
    expect(paused.status).toBe(200);
    expect(((await paused.json()) as ScheduleView).paused).toBe(true);
    const after = await client.schedule.getHandle(schedule!.temporalScheduleId).describe();
    expect(after.state.paused).toBe(true);
    const taken = after.info.numActionsTaken;
    const count = (await scheduledRuns()).length;
    // wait past the next minute the schedule would have fired at: nothing starts
    const nextMinute = (Math.floor(Date.now() / 60_000) + 1) * 60_000 + 5_000;
    await eventually(() => (Date.now() > nextMinute ? true : undefined), 'the next minute to pass', 70_000);
    expect((await scheduledRuns()).length).toBe(count);
    expect(
      (await client.schedule.getHandle(schedule!.temporalScheduleId).describe()).info.numActionsTaken,
    ).toBe(taken);
  }, 200_000);

  it('replaces the schedules when a new version is saved, and removes them with the pipeline', async () => {
    const [old] = await schedules();
    const put = await stack.request('PUT', base(), pipeline('0 3 * * *'));
    expect(put.status).toBe(200);
    const [next] = await schedules();
    expect(next).toMatchObject({ cron: '0 3 * * *', paused: false });
    expect(next!.id).not.toBe(old!.id);
    await expect(client.schedule.getHandle(old!.temporalScheduleId).describe()).rejects.toBeInstanceOf(
      ScheduleNotFoundError,
    );

    const before = new Set((await scheduledRuns()).map((r) => r.id));
    const now = await stack.request('POST', `${base()}/schedules/${next!.id}/trigger`);
    expect(now.status).toBe(200);
    const triggered = await eventually(
      async () => (await scheduledRuns()).find((r) => !before.has(r.id)),
      'the run triggered now',
    );
    expect(triggered.trigger).toBe('schedule');
    expect((await waitForRun(stack, project, triggered.id)).status).toBe('succeeded');

    // a schedule added through the API survives new versions and goes with the pipeline
    const bad = await stack.request('POST', `${base()}/schedules`, {
      cron: '61 * * * *',
      params: { nope: 'x' },
    });
    expect(bad.status).toBe(422);
    const added = await stack.request('POST', `${base()}/schedules`, {
      cron: '30 2 * * 1',
      timezone: 'America/New_York',
      params: { target: 'weekly' },
    });
    expect(added.status).toBe(201);
    const extra = (await added.json()) as ScheduleView & { origin: string };
    expect(extra).toMatchObject({ origin: 'api', cron: '30 2 * * 1', paused: false });
    expect((await stack.request('DELETE', `${base()}/schedules/${next!.id}`)).status).toBe(409);
    expect((await stack.request('PUT', base(), pipeline('0 4 * * *'))).status).toBe(200);
    expect((await schedules()).map((s) => s.cron).sort()).toEqual(['0 4 * * *', '30 2 * * 1']);

    const [declared] = (await schedules()).filter((s) => s.cron === '0 4 * * *');
    const del = await stack.request('DELETE', base());
    expect(del.status).toBe(204);
    for (const gone of [next!, extra, declared!]) {
      await expect(client.schedule.getHandle(gone.temporalScheduleId).describe()).rejects.toBeInstanceOf(
        ScheduleNotFoundError,
      );
    }
  });
});

import { Client } from '@temporalio/client';
import { archiveExpiredLogs } from '../../../api/logarithm/retention';
import type { LogStorage } from '../../../api/logarithm/storage';
import { createBlobStore } from '../../../lib/blobs';
import { logRetentionScheduleId } from '../../../workers/housekeeping-schedules';
import { createPipeline, createProject, eventually, trigger, waitForRun } from '../../support/runs';
import { ADMIN_TOKEN, startStack, type Stack } from '../../support/stack';
import { openSse, type SseEvent } from './sse-client';

// a 40 000-character line is stored as three rows that readers join again
const PIPELINE = `apiVersion: containerops/v1
kind: Pipeline
name: archived
steps:
  - id: talk
    run: |
      echo "start"
      head -c 40000 /dev/zero | tr '\\0' 'x'; echo
      echo "oops ☃" >&2
      for i in $(seq 1 300); do echo "line $i"; done
      if [ "$CO_ATTEMPT" = "1" ]; then exit 3; fi
      echo "second time lucky"
    retry: { attempts: 2, backoff: 1s }
  - id: quiet
    needs: [talk]
    run: echo "just one line"
`;

const DAY = 86_400_000;

/** Everything a user can read of one step's log: text in three forms, the SSE stream whole and resumed. */
async function readEverything(stack: Stack, project: string, runId: string, step: string) {
  const path = `/api/v1/projects/${project}/runs/${runId}/steps/${step}/logs`;
  const text = async (query: string) => (await stack.request('GET', `${path}${query}`)).text();
  const follow = async (lastEventId?: string) => {
    const stream = await openSse(`${stack.url}${path}?follow=1`, {
      authorization: `Bearer ${ADMIN_TOKEN}`,
      ...(lastEventId ? { 'last-event-id': lastEventId } : {}),
    });
    const events: SseEvent[] = [];
    for (let ev = await stream.next(); ev; ev = await stream.next()) events.push(ev);
    return events;
  };
  const events = await follow();
  const lines = events.filter((e) => e.event === 'message');
  const middle = lines[Math.floor(lines.length / 2)]!.id!;
  return {
    text: await text(''),
    stamped: await text('?timestamps=1'),
    secondAttempt: await text('?attempt=2&timestamps=1'),
    events,
    resumed: await follow(middle),
  };
}

/** Both steps' logs: the run's attempts are archived one by one, in no promised order. */
async function readRun(stack: Stack, project: string, runId: string) {
  return {
    talk: await readEverything(stack, project, runId, 'talk'),
    quiet: await readEverything(stack, project, runId, 'quiet'),
  };
}

describe('log retention (CO_LOG_RETENTION_DAYS)', () => {
  let stack: Stack;
  let project: string;
  let storage: LogStorage;

  beforeAll(async () => {
    // grace 0: the dockyard GC would sweep an archive it did not know about at once
    stack = await startStack({ config: { CO_LOG_RETENTION_DAYS: '1', CO_BLOB_GC_GRACE_HOURS: '0' } });
    storage = { db: stack.db, blobs: () => createBlobStore(stack.config) };
    project = await createProject(stack);
    await createPipeline(stack, project, PIPELINE);
  }, 180_000);
  afterAll(() => stack?.stop());

  /** A finished run of the pipeline, made to look finished two days ago. */
  async function oldRun(): Promise<string> {
    const run = await waitForRun(stack, project, (await trigger(stack, project, 'archived')).id);
    expect(run.status).toBe('succeeded');
    await stack.db.run.update({
      where: { id: run.id },
      data: { finishedAt: new Date(Date.now() - 2 * DAY) },
    });
    return run.id;
  }

  it('moves a finished run’s logs into blobs on its schedule, and the text and SSE routes serve them exactly as before', async () => {
    const runId = await oldRun();
    const before = await readEverything(stack, project, runId, 'talk');
    const quietBefore = await readEverything(stack, project, runId, 'quiet');
    expect(before.text).toContain(`start\n${'x'.repeat(40_000)}\noops ☃\n`);
    expect(before.text).toContain('--- attempt 2 ---\n');
    expect(before.events.at(-1)).toEqual({ event: 'end', data: JSON.stringify({ status: 'succeeded' }) });

    const client = new Client({ connection: stack.temporal, namespace: stack.config.TEMPORAL_NAMESPACE });
    const schedule = client.schedule.getHandle(logRetentionScheduleId(stack.config));
    expect((await schedule.describe()).action).toMatchObject({ workflowType: 'logRetention' });
    await schedule.trigger();
    await eventually(
      async () => (await stack.db.run.findUnique({ where: { id: runId } }))?.logsArchivedAt ?? undefined,
      'the run to be archived',
      90_000,
    );

    expect(await stack.db.logLine.count({ where: { runId } })).toBe(0);
    const archives = await stack.db.logArchive.findMany({ where: { runId }, orderBy: { firstId: 'asc' } });
    expect(archives.map((a) => [a.stepId, a.attempt])).toEqual([
      ['talk', 1],
      ['talk', 2],
      ['quiet', 1],
    ]);
    // the dockyard GC keeps what log archives reference
    expect((await stack.request('POST', '/api/v1/dockyard/gc')).status).toBe(200);
    expect(await readEverything(stack, project, runId, 'talk')).toEqual(before);
    expect(await readEverything(stack, project, runId, 'quiet')).toEqual(quietBefore);
  }, 180_000);

  it('recovers an archive interrupted between recording the blob and deleting the rows', async () => {
    const runId = await oldRun();
    const before = await readRun(stack, project, runId);

    let interrupted = 0;
    await expect(
      archiveExpiredLogs(storage, {
        retentionDays: 1,
        async afterRecord(attempt) {
          if (attempt.runId !== runId || attempt.stepId !== 'talk') return;
          // half the rows deleted, then the process dies
          const rows = await stack.db.logLine.findMany({ where: attempt, select: { id: true } });
          await stack.db.logLine.deleteMany({
            where: { id: { in: rows.slice(0, rows.length / 2).map((r) => r.id) } },
          });
          interrupted++;
          throw new Error('killed');
        },
      }),
    ).rejects.toThrow('killed');
    expect(interrupted).toBe(1);
    expect(await stack.db.logArchive.count({ where: { runId, stepId: 'talk' } })).toBe(1);
    expect(await stack.db.logLine.count({ where: { runId } })).toBeGreaterThan(0);
    expect((await stack.db.run.findUniqueOrThrow({ where: { id: runId } })).logsArchivedAt).toBeNull();
    // half archived, half in the table, some rows in both: readers see each line once
    expect(await readRun(stack, project, runId)).toEqual(before);

    const report = await archiveExpiredLogs(storage, { retentionDays: 1 });
    expect(report).toMatchObject({ more: false });
    expect(report.runsArchived).toBeGreaterThanOrEqual(1);
    expect(await stack.db.logLine.count({ where: { runId } })).toBe(0);
    expect((await stack.db.run.findUniqueOrThrow({ where: { id: runId } })).logsArchivedAt).not.toBeNull();
    expect(await readRun(stack, project, runId)).toEqual(before);
  }, 180_000);

  it('archives a run across several calls when each call runs out of time, serving it whole all along', async () => {
    const runId = await oldRun();
    const before = await readRun(stack, project, runId);
    let calls = 0;
    for (let more = true; more; calls++) {
      // budget 0: every call archives one attempt and says more are due
      more = (await archiveExpiredLogs(storage, { retentionDays: 1, budgetMs: 0 })).more;
      expect(await readRun(stack, project, runId)).toEqual(before);
    }
    expect(calls).toBe(3);
    expect(await stack.db.logLine.count({ where: { runId } })).toBe(0);
    expect((await stack.db.run.findUniqueOrThrow({ where: { id: runId } })).logsArchivedAt).not.toBeNull();
  }, 180_000);

  it('leaves runs finished more recently than the retention alone', async () => {
    const run = await waitForRun(stack, project, (await trigger(stack, project, 'archived')).id);
    await archiveExpiredLogs(storage, { retentionDays: 1 });
    expect(await stack.db.logArchive.count({ where: { runId: run.id } })).toBe(0);
    expect(await stack.db.logLine.count({ where: { runId: run.id } })).toBeGreaterThan(0);
    const off = await archiveExpiredLogs(storage, { retentionDays: 0, now: new Date(Date.now() + 30 * DAY) });
    expect(off).toMatchObject({ runsArchived: 0, rowsDeleted: 0 });
  }, 180_000);
});

import crypto from 'node:crypto';
import { ScheduleNotFoundError, type Client } from '@temporalio/client';
import { validatePlan } from '../../pipeline';
import type { Config } from '../../lib/config';
import type { Db } from '../../lib/db';
import { HttpError } from '../../lib/errors';
import { scheduledWorkflowId } from '../../contract';
import { scheduledRun } from '../../workflows/scheduled-run';
import type { Pipeline, PipelineVersion, Project, Schedule } from '../../generated/prisma/client';

export interface ScheduleDeps {
  db: Db;
  client: Client;
  config: Config;
}

/** Temporal's id of a schedule row: what its UI lists. */
export const temporalScheduleId = (row: Pick<Schedule, 'id'>) => `schedule-${row.id}`;

export function scheduleLink(config: Config, row: Pick<Schedule, 'id'>): string {
  return `${config.TEMPORAL_UI_URL}/namespaces/${encodeURIComponent(config.TEMPORAL_NAMESPACE)}/schedules/${encodeURIComponent(temporalScheduleId(row))}`;
}

async function deleteTemporalSchedule(client: Client, row: Schedule): Promise<void> {
  try {
    await client.schedule.getHandle(temporalScheduleId(row)).delete();
  } catch (err) {
    if (!(err instanceof ScheduleNotFoundError)) throw err;
  }
}

const unavailable = (what: string, err: unknown) =>
  new HttpError(503, 'Service Unavailable', `${what}: ${(err as Error).message.split('\n')[0]}`);

/** The Temporal Schedule of a row: starts workflow `scheduledRun` on the row's cron, time zone and overlap policy. */
export async function createTemporalSchedule(
  deps: ScheduleDeps,
  project: Project,
  pipeline: Pipeline,
  row: Schedule,
): Promise<void> {
  await deps.client.schedule.create({
    scheduleId: temporalScheduleId(row),
    spec: { cronExpressions: [row.cron], timezone: row.timezone },
    action: {
      type: 'startWorkflow',
      workflowType: scheduledRun,
      workflowId: scheduledWorkflowId(row.id),
      taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
      args: [{ scheduleId: row.id }],
      staticSummary: `${project.name}/${pipeline.name} on schedule ${row.cron}`,
    },
    policies: { overlap: row.overlap.toUpperCase() as 'SKIP' },
    memo: { project: project.name, pipeline: pipeline.name, origin: row.origin, cron: row.cron },
  });
}

export async function deleteSchedule(deps: ScheduleDeps, row: Schedule): Promise<void> {
  try {
    await deleteTemporalSchedule(deps.client, row);
    await deps.db.schedule.delete({ where: { id: row.id } });
  } catch (err) {
    throw unavailable('the schedule could not be removed', err);
  }
}

/**
 * Makes the pipeline's Temporal Schedules those of `version`'s `on.schedule`: the previous
 * version's schedules are deleted (schedules made through the API stay), each entry gets a row and a Temporal Schedule that starts
 * workflow `scheduledRun` with the overlap policy and time zone of the entry.
 */
export async function syncSchedules(
  deps: ScheduleDeps,
  project: Project,
  pipeline: Pipeline,
  version: PipelineVersion,
): Promise<void> {
  const { db, client } = deps;
  const plan = validatePlan(version.plan);
  try {
    for (const old of await db.schedule.findMany({
      where: { pipelineId: pipeline.id, origin: 'pipeline' },
    })) {
      await deleteTemporalSchedule(client, old);
      await db.schedule.delete({ where: { id: old.id } });
    }
    for (const [position, entry] of (plan.triggers?.schedule ?? []).entries()) {
      const row = await db.schedule.create({
        data: {
          id: crypto.randomUUID(),
          pipelineId: pipeline.id,
          position,
          pipelineVersion: version.version,
          cron: entry.cron,
          timezone: entry.timezone,
          overlap: entry.overlap,
          params: entry.params,
        },
      });
      await createTemporalSchedule(deps, project, pipeline, row);
    }
  } catch (err) {
    if (err instanceof HttpError) throw err;
    throw unavailable(
      `version ${version.version} is saved but its schedules could not be updated (save again)`,
      err,
    );
  }
}

/** Removes every schedule of a pipeline (before the pipeline itself is deleted). */
export async function deleteSchedules(deps: ScheduleDeps, pipeline: Pipeline): Promise<void> {
  try {
    for (const row of await deps.db.schedule.findMany({ where: { pipelineId: pipeline.id } })) {
      await deleteTemporalSchedule(deps.client, row);
      await deps.db.schedule.delete({ where: { id: row.id } });
    }
  } catch (err) {
    throw unavailable('the pipeline\u2019s schedules could not be removed', err);
  }
}

import crypto from 'node:crypto';
import { ScheduleNotFoundError, type Client } from '@temporalio/client';
import type { ExecutionPlan } from '../../pipeline';
import type { Config } from '../../lib/config';
import type { Db } from '../../lib/db';
import { HttpError } from '../../lib/errors';
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

/**
 * Makes the pipeline's Temporal Schedules those of `version`'s `on.schedule`: the previous
 * version's schedules are deleted, each entry gets a row and a Temporal Schedule that starts
 * workflow `scheduledRun` with the overlap policy and time zone of the entry.
 */
export async function syncSchedules(
  deps: ScheduleDeps,
  project: Project,
  pipeline: Pipeline,
  version: PipelineVersion,
): Promise<void> {
  const { db, client, config } = deps;
  const plan = version.plan as unknown as ExecutionPlan;
  try {
    for (const old of await db.schedule.findMany({ where: { pipelineId: pipeline.id } })) {
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
      await client.schedule.create({
        scheduleId: temporalScheduleId(row),
        spec: { cronExpressions: [entry.cron], timezone: entry.timezone },
        action: {
          type: 'startWorkflow',
          workflowType: 'scheduledRun',
          workflowId: `scheduled-${row.id}`,
          taskQueue: config.TEMPORAL_TASK_QUEUE,
          args: [{ scheduleId: row.id }],
          staticSummary: `${project.name}/${pipeline.name} on schedule ${entry.cron}`,
        },
        policies: { overlap: entry.overlap.toUpperCase() as 'SKIP' },
        memo: { project: project.name, pipeline: pipeline.name, version: version.version, cron: entry.cron },
      });
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

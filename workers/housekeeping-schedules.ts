import {
  Client,
  Connection,
  ScheduleAlreadyRunning,
  ScheduleOverlapPolicy,
  type Workflow,
} from '@temporalio/client';
import type { Config } from '../lib/config';
import type { Logger } from '../lib/logger';
import { dockyardGc } from '../workflows/dockyard-gc';
import { logRetention } from '../workflows/log-retention';

/** How often each housekeeping schedule starts its workflow. */
export const HOUSEKEEPING_EVERY = '1h';

/** The Temporal schedule id of a task queue's dockyard GC (one per deployment). */
export function gcScheduleId(config: Config): string {
  return `dockyard-gc-${config.TEMPORAL_TASK_QUEUE}`;
}

/** The Temporal schedule id of a task queue's log retention (one per deployment). */
export function logRetentionScheduleId(config: Config): string {
  return `log-retention-${config.TEMPORAL_TASK_QUEUE}`;
}

/**
 * Creates the hourly housekeeping schedules that do not exist yet (visible in the Temporal UI):
 * dockyard's garbage collection, and log retention, which always exists: the API's
 * CO_LOG_RETENTION_DAYS decides what it does (0: nothing). A schedule that cannot be created is
 * logged; the worker still runs steps.
 */
export async function ensureHousekeepingSchedules(config: Config, logger: Logger): Promise<void> {
  const schedules: Array<{ scheduleId: string; workflowType: Workflow; what: string }> = [
    { scheduleId: gcScheduleId(config), workflowType: dockyardGc, what: 'dockyard gc' },
    { scheduleId: logRetentionScheduleId(config), workflowType: logRetention, what: 'log retention' },
  ];
  let connection: Connection;
  try {
    connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  } catch (err) {
    logger.warn({ err }, 'could not create the housekeeping schedules');
    return;
  }
  try {
    const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
    for (const { scheduleId, workflowType, what } of schedules) {
      try {
        await client.schedule.create({
          scheduleId,
          spec: { intervals: [{ every: HOUSEKEEPING_EVERY }] },
          action: { type: 'startWorkflow', workflowType, taskQueue: config.TEMPORAL_TASK_QUEUE, args: [] },
          policies: { overlap: ScheduleOverlapPolicy.SKIP },
        });
        logger.info({ scheduleId }, `${what} schedule created`);
      } catch (err) {
        if (!(err instanceof ScheduleAlreadyRunning))
          logger.warn({ err, scheduleId }, `could not create the ${what} schedule`);
      }
    }
  } finally {
    await connection.close();
  }
}

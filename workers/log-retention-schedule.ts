import { Client, Connection, ScheduleAlreadyRunning, ScheduleOverlapPolicy } from '@temporalio/client';
import type { Config } from '../lib/config';
import type { Logger } from '../lib/logger';
import { logRetention } from '../workflows/log-retention';

export const LOG_RETENTION_EVERY = '1h';

/** The Temporal schedule id of a task queue's log retention (one per deployment). */
export function logRetentionScheduleId(config: Config): string {
  return `log-retention-${config.TEMPORAL_TASK_QUEUE}`;
}

/**
 * Creates the hourly `log-retention` schedule unless it exists (visible in the Temporal UI). It
 * always exists: the API's CO_LOG_RETENTION_DAYS decides what it does (0: nothing).
 */
export async function ensureLogRetentionSchedule(config: Config, logger: Logger): Promise<void> {
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  try {
    const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
    await client.schedule.create({
      scheduleId: logRetentionScheduleId(config),
      spec: { intervals: [{ every: LOG_RETENTION_EVERY }] },
      action: {
        type: 'startWorkflow',
        workflowType: logRetention,
        taskQueue: config.TEMPORAL_TASK_QUEUE,
        args: [],
      },
      policies: { overlap: ScheduleOverlapPolicy.SKIP },
    });
    logger.info({ scheduleId: logRetentionScheduleId(config) }, 'log retention schedule created');
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  } finally {
    await connection.close();
  }
}

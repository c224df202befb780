import { Client, Connection, ScheduleAlreadyRunning, ScheduleOverlapPolicy } from '@temporalio/client';
import type { Config } from '../lib/config';
import type { Logger } from '../lib/logger';
import { dockyardGc } from '../workflows/dockyard-gc';

export const GC_EVERY = '1h';

/** The Temporal schedule id of a task queue's dockyard GC (one per deployment). */
export function gcScheduleId(config: Config): string {
  return `dockyard-gc-${config.TEMPORAL_TASK_QUEUE}`;
}

/** Creates the hourly `dockyard-gc` schedule unless it exists (visible in the Temporal UI). */
export async function ensureDockyardGcSchedule(config: Config, logger: Logger): Promise<void> {
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  try {
    const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
    await client.schedule.create({
      scheduleId: gcScheduleId(config),
      spec: { intervals: [{ every: GC_EVERY }] },
      action: {
        type: 'startWorkflow',
        workflowType: dockyardGc,
        taskQueue: config.TEMPORAL_TASK_QUEUE,
        args: [],
      },
      policies: { overlap: ScheduleOverlapPolicy.SKIP },
    });
    logger.info({ scheduleId: gcScheduleId(config) }, 'dockyard gc schedule created');
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  } finally {
    await connection.close();
  }
}

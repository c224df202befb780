import { proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../activities';

type Activities = ReturnType<typeof createActivities>;

const { archiveExpiredLogs } = proxyActivities<Activities>({
  startToCloseTimeout: '6h',
  // each API call archives at most ~30 s of runs, then the activity heartbeats
  heartbeatTimeout: '5m',
  retry: { initialInterval: '10s', backoffCoefficient: 2, maximumAttempts: 5 },
});

/** Started by the `log-retention` schedule: moves the logs of long-finished runs into dockyard blobs. */
export async function logRetention(): Promise<unknown> {
  return archiveExpiredLogs();
}

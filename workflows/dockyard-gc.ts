import { proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../activities';

type Activities = ReturnType<typeof createActivities>;

const { collectDockyardGarbage } = proxyActivities<Activities>({
  startToCloseTimeout: '1h',
  retry: { initialInterval: '10s', backoffCoefficient: 2, maximumAttempts: 5 },
});

/** Started by the `dockyard-gc` schedule: artifact retention, then mark and sweep of unreferenced blobs. */
export async function dockyardGc(): Promise<unknown> {
  return collectDockyardGarbage();
}

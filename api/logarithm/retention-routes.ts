import { createBlobStore, type BlobStore } from '../../lib/blobs';
import type { ApiDeps } from '../deps';
import type { RouteDef } from '../http/route';
import { archiveExpiredLogs } from './retention';

/** A call stops starting runs after this long and answers `more: true`; the caller calls again. */
const CALL_BUDGET_MS = 30_000;

/** POST /logs/archive: log retention, run by the `log-retention` Temporal schedule. */
export function logRetentionRoutes({ db, config }: ApiDeps): RouteDef[] {
  let blobStore: BlobStore | undefined;
  return [
    {
      method: 'post',
      path: '/logs/archive',
      permission: 'admin',
      maintenanceToken: true,
      summary:
        'Moves the logs of runs finished more than CO_LOG_RETENTION_DAYS ago into dockyard blobs (a batch of runs per call) -> {runsArchived, attemptsArchived, rowsDeleted, bytesStored, more}',
      async handler(_req, res) {
        const report = await archiveExpiredLogs(
          { db, blobs: () => (blobStore ??= createBlobStore(config)) },
          { retentionDays: config.CO_LOG_RETENTION_DAYS, budgetMs: CALL_BUDGET_MS },
        );
        res.json(report);
      },
    },
  ];
}

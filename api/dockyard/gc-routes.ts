import { createBlobStore, type BlobStore } from '../../lib/blobs';
import type { ApiDeps } from '../deps';
import type { RouteDef } from '../http/route';
import { collectGarbage } from './gc';

/** POST /dockyard/gc: retention and blob garbage collection, run by the `dockyard-gc` Temporal schedule. */
export function dockyardGcRoutes({ db, config }: ApiDeps): RouteDef[] {
  let blobStore: BlobStore | undefined;
  return [
    {
      method: 'post',
      path: '/dockyard/gc',
      permission: 'admin',
      maintenanceToken: true,
      summary:
        'Deletes artifacts past CO_ARTIFACT_RETENTION_DAYS and unreferenced blobs older than CO_BLOB_GC_GRACE_HOURS -> {artifactsExpired, blobsSwept, bytesFreed, uploadsAbandoned}',
      async handler(_req, res) {
        blobStore ??= createBlobStore(config);
        const report = await collectGarbage(db, blobStore, {
          retentionDays: config.CO_ARTIFACT_RETENTION_DAYS,
          graceHours: config.CO_BLOB_GC_GRACE_HOURS,
        });
        res.json(report);
      },
    },
  ];
}

import type { Db } from '../../../lib/db';
import { RegistryError } from './errors';

/** Bytes a project's repositories hold (blobs and manifests as linked, so a blob in two repos counts twice). */
export async function projectUsage(db: Db, projectId: string): Promise<number> {
  const [blobs, manifests] = await Promise.all([
    db.registryBlob.aggregate({ where: { projectId }, _sum: { size: true } }),
    db.registryManifest.aggregate({ where: { projectId }, _sum: { size: true } }),
  ]);
  return Number(blobs._sum.size ?? 0n) + Number(manifests._sum.size ?? 0n);
}

/** 507 when adding `bytes` would pass the project's quota (CO_DOCKYARD_QUOTA_BYTES, 0 = none). */
export async function assertQuota(db: Db, projectId: string, bytes: number, quota: number): Promise<void> {
  if (quota <= 0) return;
  const used = await projectUsage(db, projectId);
  if (used + bytes > quota) {
    throw new RegistryError(
      507,
      'QUOTA_EXCEEDED',
      `the project's registry quota is ${quota} bytes; ${used} are used and this needs ${bytes} more`,
    );
  }
}

import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../../lib/db';
import type { BlobStore } from '../../lib/blobs';

export interface GcOptions {
  retentionDays: number;
  graceHours: number;
  now?: Date;
}

export interface GcReport {
  artifactsExpired: number;
  blobsSwept: number;
  bytesFreed: number;
  uploadsAbandoned: number;
}

/**
 * Retention, then mark and sweep: artifacts (and large outputs) older than the retention go; a
 * stored blob that no artifact, registry blob link, manifest, log archive or step cache references is deleted
 * once it is older than the grace period, which protects uploads committed but not yet recorded.
 */
export async function collectGarbage(db: Db, store: BlobStore, opts: GcOptions): Promise<GcReport> {
  const now = opts.now ?? new Date();
  const expiredBefore = new Date(now.getTime() - opts.retentionDays * 86_400_000);
  const graceBefore = new Date(now.getTime() - opts.graceHours * 3_600_000);
  const { count: artifactsExpired } = await db.artifact.deleteMany({
    where: { createdAt: { lt: expiredBefore } },
  });

  const [artifacts, links, manifests, logs, caches] = await Promise.all([
    db.artifact.findMany({ select: { digest: true }, distinct: ['digest'] }),
    db.registryBlob.findMany({ select: { digest: true }, distinct: ['digest'] }),
    db.registryManifest.findMany({ select: { digest: true }, distinct: ['digest'] }),
    db.logArchive.findMany({ select: { digest: true }, distinct: ['digest'] }),
    db.cacheEntry.findMany({ select: { digest: true }, distinct: ['digest'] }),
  ]);
  const marked = new Set([...artifacts, ...links, ...manifests, ...logs, ...caches].map((r) => r.digest));

  let blobsSwept = 0;
  let bytesFreed = 0;
  for await (const blob of store.list()) {
    if (marked.has(blob.digest) || blob.modifiedAt >= graceBefore) continue;
    await db.blob.deleteMany({ where: { digest: blob.digest } });
    await store.remove(blob.digest);
    blobsSwept++;
    bytesFreed += blob.size;
  }
  // rows whose content is gone (swept by another process, or lost) are unreferenced too
  await db.blob.deleteMany({
    where: {
      createdAt: { lt: graceBefore },
      artifacts: { none: {} },
      registryBlobs: { none: {} },
      registryManifests: { none: {} },
      logArchives: { none: {} },
      caches: { none: {} },
    },
  });

  let uploadsAbandoned = 0;
  for (const name of await fs.promises.readdir(store.stagingDir).catch(() => [] as string[])) {
    const file = path.join(store.stagingDir, name);
    const st = await fs.promises.stat(file).catch(() => undefined);
    if (st && st.mtime < graceBefore) {
      await fs.promises.rm(file, { force: true });
      if (name.endsWith('.json')) uploadsAbandoned++;
    }
  }
  return { artifactsExpired, blobsSwept, bytesFreed, uploadsAbandoned };
}

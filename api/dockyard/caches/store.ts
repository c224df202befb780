import crypto from 'node:crypto';
import type { Request } from 'express';
import type { Db } from '../../../lib/db';
import type { BlobStore } from '../../../lib/blobs';
import { BlobTooLargeError, stageAndHash } from '../../../lib/blobs/ingest';
import { HttpError } from '../../../lib/errors';
import { commitBlob } from '../blob-records';

export interface CacheHit {
  id: string;
  key: string;
  scope: string;
  digest: string;
  size: number;
  /** the key itself matched, not one of the restore-key prefixes */
  exact: boolean;
}

type Row = { id: string; key: string; scope: string; digest: string; size: bigint };

function hit(row: Row, exact: boolean): CacheHit {
  return { id: row.id, key: row.key, scope: row.scope, digest: row.digest, size: Number(row.size), exact };
}

/**
 * The cache a step restores: the exact key in each scope in order, then each restore key as a
 * prefix (newest entry first) in each scope in order. Marks the hit as used, for eviction.
 */
export async function findCache(
  db: Db,
  projectId: string,
  scopes: string[],
  key: string,
  restoreKeys: string[],
): Promise<CacheHit | undefined> {
  let found: CacheHit | undefined;
  for (const scope of scopes) {
    const row = await db.cacheEntry.findUnique({ where: { projectId_scope_key: { projectId, scope, key } } });
    if (row) {
      found = hit(row, true);
      break;
    }
  }
  for (const prefix of found ? [] : restoreKeys) {
    for (const scope of scopes) {
      const rows = await db.cacheEntry.findMany({
        where: { projectId, scope, key: { startsWith: prefix } },
        orderBy: { createdAt: 'desc' },
        take: 20,
      });
      // startsWith becomes LIKE: `%` and `_` in a prefix must not widen it
      const row = rows.find((r) => r.key.startsWith(prefix));
      if (row) {
        found = hit(row, false);
        break;
      }
    }
    if (found) break;
  }
  if (found) await db.cacheEntry.update({ where: { id: found.id }, data: { lastUsedAt: new Date() } });
  return found;
}

export interface CacheSave {
  projectId: string;
  scope: string;
  key: string;
  runId: string;
  quotaBytes: number;
}

/**
 * Streams a packed cache into the blob store (content-addressed: an identical cache costs no new
 * blob) and records it; then evicts the project's least recently used caches past its quota.
 * An existing key in the scope is kept: caches are immutable, like their keys promise.
 */
export async function saveCache(db: Db, store: BlobStore, req: Request, save: CacheSave) {
  const where = { projectId_scope_key: { projectId: save.projectId, scope: save.scope, key: save.key } };
  const existing = await db.cacheEntry.findUnique({ where });
  if (existing) {
    req.resume();
    return { saved: false as const, entry: hit(existing, true) };
  }
  let staged;
  try {
    staged = await stageAndHash(req, store.stagingDir, save.quotaBytes);
  } catch (err) {
    if (err instanceof BlobTooLargeError) {
      throw new HttpError(413, 'Content Too Large', `the cache is larger than the project's cache quota`);
    }
    throw err;
  }
  const digest = staged.digests.sha256;
  await commitBlob(db, store, staged, digest);
  const row = await db.cacheEntry.upsert({
    where,
    create: {
      id: crypto.randomUUID(),
      projectId: save.projectId,
      scope: save.scope,
      key: save.key,
      digest,
      size: BigInt(staged.size),
      runId: save.runId,
    },
    update: {},
  });
  await evictPastQuota(db, save.projectId, save.quotaBytes, row.id);
  return { saved: true as const, entry: hit(row, true) };
}

/** Deletes the least recently used caches until the project's total fits; the blobs go with the dockyard GC. */
export async function evictPastQuota(db: Db, projectId: string, quotaBytes: number, keep?: string) {
  const rows = await db.cacheEntry.findMany({
    where: { projectId },
    select: { id: true, size: true },
    orderBy: [{ lastUsedAt: 'asc' }, { createdAt: 'asc' }],
  });
  let total = rows.reduce((sum, r) => sum + Number(r.size), 0);
  const evicted: string[] = [];
  for (const r of rows) {
    if (total <= quotaBytes) break;
    if (r.id === keep) continue;
    evicted.push(r.id);
    total -= Number(r.size);
  }
  if (evicted.length) await db.cacheEntry.deleteMany({ where: { id: { in: evicted } } });
  return evicted.length;
}

import crypto from 'node:crypto';
import type { Db } from '../../../lib/db';
import type { Project } from '../../../generated/prisma/client';
import { assertQuota } from './quota';

/** Which blobs a repository holds: the link rows that make a stored blob visible under a name. */

export async function repoBlob(db: Db, repo: string, digest: string) {
  return db.registryBlob.findUnique({ where: { repo_digest: { repo, digest } } });
}

export async function linkBlob(
  db: Db,
  project: Project,
  repo: string,
  digest: string,
  size: number,
  quota: number,
): Promise<void> {
  if (await repoBlob(db, repo, digest)) return;
  await assertQuota(db, project.id, size, quota);
  try {
    await db.registryBlob.create({
      data: { id: crypto.randomUUID(), projectId: project.id, repo, digest, size: BigInt(size) },
    });
  } catch (err) {
    // a concurrent push linked it first
    if ((err as { code?: string }).code !== 'P2002') throw err;
  }
}

export async function unlinkBlob(db: Db, repo: string, digest: string): Promise<boolean> {
  const { count } = await db.registryBlob.deleteMany({ where: { repo, digest } });
  return count > 0;
}

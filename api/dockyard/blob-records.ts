import fs from 'node:fs';
import type { Db } from '../../lib/db';
import type { BlobStore } from '../../lib/blobs';
import type { StagedBlob } from '../../lib/blobs/ingest';

/**
 * Files a staged upload under `digest` and records it in the Blob table. If the store already
 * holds that content, the temp file is dropped: content addressing makes the copies identical.
 */
export async function commitBlob(
  db: Db,
  store: BlobStore,
  staged: StagedBlob,
  digest: string,
): Promise<void> {
  // a copy of another size is not whole yet (a server that shows objects while they are written)
  if ((await store.stat(digest))?.size === staged.size) {
    await fs.promises.rm(staged.file, { force: true });
  } else {
    await store.commit(staged.file, digest, staged.digests);
  }
  await db.blob.createMany({ data: [{ digest, size: BigInt(staged.size) }], skipDuplicates: true });
}

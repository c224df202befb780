import { decodeArchive } from './archive-format';
import type { StepLogKey, LogRange, StoredLogRow } from './rows';
import type { LogStorage } from './storage';

export interface ArchiveRecord {
  attempt: number;
  digest: string;
  firstId: bigint;
  lastId: bigint;
}

/** The archives of a log holding rows after `afterId` (and up to `untilId`), in id order. */
export function archivesOf(
  storage: LogStorage,
  key: StepLogKey,
  afterId: bigint,
  opts: LogRange = {},
): Promise<ArchiveRecord[]> {
  return storage.db.logArchive.findMany({
    where: {
      ...key,
      lastId: { gt: afterId },
      ...(opts.untilId !== undefined ? { firstId: { lte: opts.untilId } } : {}),
      ...(opts.attempt !== undefined ? { attempt: opts.attempt } : {}),
    },
    orderBy: { firstId: 'asc' },
    select: { attempt: true, digest: true, firstId: true, lastId: true },
  });
}

/** The rows of those archives, blob after blob (each holds one attempt, whose ids no other attempt interleaves). */
export async function* archivedRows(
  storage: LogStorage,
  archives: ArchiveRecord[],
  range: { afterId: bigint; untilId?: bigint; batchRows: number },
): AsyncGenerator<StoredLogRow[]> {
  for (const archive of archives) {
    const blob = await storage.blobs().open(archive.digest);
    yield* decodeArchive(blob, archive.attempt, range);
  }
}

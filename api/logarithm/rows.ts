import type { Db } from '../../lib/db';
import { archivedRows, archivesOf } from './archived-rows';
import { mergeById } from './merge-rows';
import type { LogStorage } from './storage';

/** One log's identity: a step (one matrix combination) of a run, all attempts. */
export interface StepLogKey {
  runId: string;
  stepId: string;
  matrixKey: string;
}

/** A stored log row as the API reads it: with its id, which orders a step's log across attempts. */
export interface StoredLogRow {
  id: bigint;
  attempt: number;
  seq: number;
  stream: string;
  line: string;
  /** the line goes on in the next row (a line over 16 KiB is stored as several rows) */
  continues: boolean;
  at: Date;
}

export const BATCH_ROWS = 5000;

/** Optional narrowing: one attempt only, rows up to an id. */
export interface LogRange {
  attempt?: number;
  untilId?: bigint;
}

/**
 * The next rows after `afterId`, in id order. Each attempt has a single writer that inserts its
 * batches one after another, so id order is write order and a cursor on id never skips a row.
 */
export function readLogBatch(
  db: Db,
  key: StepLogKey,
  afterId: bigint,
  opts: LogRange & { limit?: number } = {},
): Promise<StoredLogRow[]> {
  return db.logLine.findMany({
    where: {
      ...key,
      id: { gt: afterId, ...(opts.untilId !== undefined ? { lte: opts.untilId } : {}) },
      ...(opts.attempt !== undefined ? { attempt: opts.attempt } : {}),
    },
    orderBy: { id: 'asc' },
    take: opts.limit ?? BATCH_ROWS,
    select: { id: true, attempt: true, seq: true, stream: true, line: true, continues: true, at: true },
  });
}

/** Rows still in the LogLine table after `afterId`, batch by batch. */
async function* tableRows(
  db: Db,
  key: StepLogKey,
  afterId: bigint,
  opts: LogRange,
): AsyncGenerator<StoredLogRow[]> {
  let cursor = afterId;
  for (;;) {
    const batch = await readLogBatch(db, key, cursor, opts);
    if (batch.length > 0) yield batch;
    if (batch.length < BATCH_ROWS) return;
    cursor = batch[batch.length - 1]!.id;
  }
}

/**
 * Every row after `afterId` in id order, batch by batch so memory stays flat whatever the log's
 * size: from the table and from the blobs of attempts log retention archived, merged by id.
 */
export async function* logRows(
  storage: LogStorage,
  key: StepLogKey,
  afterId = 0n,
  opts: LogRange = {},
): AsyncGenerator<StoredLogRow[]> {
  const table = tableRows(storage.db, key, afterId, opts);
  const archives = await archivesOf(storage, key, afterId, opts);
  if (archives.length === 0) return yield* table;
  const range = { afterId, untilId: opts.untilId, batchRows: BATCH_ROWS };
  yield* mergeById(table, archivedRows(storage, archives, range));
}

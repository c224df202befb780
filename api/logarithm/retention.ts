import fs from 'node:fs';
import { stageAndHash } from '../../lib/blobs/ingest';
import { TERMINAL_RUN_STATUSES } from '../../contract';
import { commitBlob } from '../dockyard/blob-records';
import { encodeArchive } from './archive-format';
import { logRows } from './rows';
import type { LogStorage } from './storage';

export interface RetentionOptions {
  /** logs of runs finished longer ago than this are archived; 0: none */
  retentionDays: number;
  now?: Date;
  /** runs archived per call at most */
  maxRuns?: number;
  /** no further attempt is archived once a call has taken this long (but one always is; a run left half done is finished next call) */
  budgetMs?: number;
  /** called once an attempt's archive is recorded, before its rows are deleted (tests interrupt here) */
  afterRecord?: (attempt: AttemptLog) => Promise<void>;
}

export interface RetentionReport {
  runsArchived: number;
  attemptsArchived: number;
  rowsDeleted: number;
  /** compressed bytes written to the blob store */
  bytesStored: number;
  /** more runs are due: call again */
  more: boolean;
}

export interface AttemptLog {
  runId: string;
  stepId: string;
  matrixKey: string;
  attempt: number;
}

/** Rows deleted per statement: each DELETE is a short transaction, so writers never wait long. */
export const DELETE_BATCH = 2000;

/**
 * Moves the logs of runs that finished more than `retentionDays` ago out of LogLine into one
 * gzip blob per step attempt. Per attempt: the blob is written and verified, recorded in
 * LogArchive, and only then are its rows deleted, in batches. Interrupted anywhere, the next call
 * redoes the attempt from what is left (the archive merged with the remaining rows gives the
 * same content), and the run is marked archived only when no row of it is left.
 */
export async function archiveExpiredLogs(
  storage: LogStorage,
  opts: RetentionOptions,
): Promise<RetentionReport> {
  const report: RetentionReport = {
    runsArchived: 0,
    attemptsArchived: 0,
    rowsDeleted: 0,
    bytesStored: 0,
    more: false,
  };
  if (opts.retentionDays <= 0) return report;
  const deadline = Date.now() + (opts.budgetMs ?? Infinity);
  const now = opts.now ?? new Date();
  const maxRuns = opts.maxRuns ?? 50;
  const runs = await storage.db.run.findMany({
    where: {
      logsArchivedAt: null,
      finishedAt: { lt: new Date(now.getTime() - opts.retentionDays * 86_400_000) },
      status: { in: [...TERMINAL_RUN_STATUSES] },
    },
    orderBy: { finishedAt: 'asc' },
    take: maxRuns + 1,
    select: { id: true },
  });
  report.more = runs.length > maxRuns;
  for (const run of runs.slice(0, maxRuns)) {
    if (!(await archiveRunLogs(storage, run.id, report, opts, deadline))) {
      report.more = true;
      break;
    }
  }
  return report;
}

/** false: the deadline came first (the run's remaining attempts still have their rows, so the next call goes on). */
async function archiveRunLogs(
  storage: LogStorage,
  runId: string,
  report: RetentionReport,
  opts: RetentionOptions,
  deadline: number,
): Promise<boolean> {
  const attempts = await storage.db.logLine.groupBy({
    by: ['stepId', 'matrixKey', 'attempt'],
    where: { runId },
  });
  for (const [i, a] of attempts.entries()) {
    await archiveAttempt(storage, { runId, ...a }, report, opts);
    if (i < attempts.length - 1 && Date.now() > deadline) return false;
  }
  // rows written meanwhile (a lost worker's late batch) are archived next time
  if ((await storage.db.logLine.count({ where: { runId } })) > 0) return true;
  await storage.db.run.update({ where: { id: runId }, data: { logsArchivedAt: new Date() } });
  report.runsArchived++;
  return true;
}

async function archiveAttempt(
  storage: LogStorage,
  attempt: AttemptLog,
  report: RetentionReport,
  opts: RetentionOptions,
): Promise<void> {
  const { db } = storage;
  const blobs = storage.blobs();
  const key = { runId: attempt.runId, stepId: attempt.stepId, matrixKey: attempt.matrixKey };
  // the attempt as readers see it: an earlier, interrupted archive of it merged with its rows
  const { stream, stats } = encodeArchive(attempt, logRows(storage, key, 0n, { attempt: attempt.attempt }));
  const staged = await stageAndHash(stream, blobs.stagingDir);
  const digest = staged.digests.sha256;
  if (stats.firstId === undefined || stats.lastId === undefined) {
    await fs.promises.rm(staged.file, { force: true });
    return;
  }
  await commitBlob(db, blobs, staged, digest);
  const stored = await blobs.stat(digest);
  if (stored?.size !== staged.size) throw new Error(`log archive ${digest} was not stored whole`);
  const where = { runId_stepId_matrixKey_attempt: attempt };
  const record = {
    digest,
    firstId: stats.firstId,
    lastId: stats.lastId,
    rowCount: stats.rowCount,
    size: BigInt(staged.size),
  };
  await db.logArchive.upsert({ where, create: { ...attempt, ...record }, update: record });
  await opts.afterRecord?.(attempt);

  for (;;) {
    const deleted = await db.$executeRaw`
      DELETE FROM LogLine
      WHERE runId = ${attempt.runId} AND stepId = ${attempt.stepId} AND matrixKey = ${attempt.matrixKey}
        AND attempt = ${attempt.attempt} AND id <= ${stats.lastId}
      LIMIT ${DELETE_BATCH}`;
    report.rowsDeleted += deleted;
    if (deleted < DELETE_BATCH) break;
  }
  report.attemptsArchived++;
  report.bytesStored += staged.size;
}

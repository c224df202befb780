import type { Db } from '../../lib/db';
import { BATCH_ROWS, type StepLogKey, type StoredLogRow } from './rows';
import type { StepProgress } from './completion';

interface TickRow {
  runStatus: string | null;
  stepStatus: string | null;
  stepAttempt: number | bigint | null;
  id: bigint | number | string | null;
  attempt: number | null;
  seq: number | null;
  stream: string | null;
  line: string | null;
  continues: number | boolean | null;
  at: Date | null;
}

export interface Tick {
  /** undefined: the run is gone */
  progress?: StepProgress;
  rows: StoredLogRow[];
}

/**
 * One statement per tick: the step's and run's status, and the new rows (by the index on
 * run, step, id), from one consistent snapshot, so "terminal and nothing more" is never judged
 * on rows older than the status.
 */
export async function readTick(db: Db, key: StepLogKey, afterId: bigint): Promise<Tick> {
  const result = await db.$queryRaw<TickRow[]>`
    SELECT r.status AS runStatus, s.status AS stepStatus, s.attempt AS stepAttempt,
           NULL AS id, NULL AS attempt, NULL AS seq, NULL AS stream, NULL AS line, NULL AS continues, NULL AS at
    FROM Run r
    LEFT JOIN StepRun s ON s.runId = r.id AND s.stepId = ${key.stepId} AND s.matrixKey = ${key.matrixKey}
    WHERE r.id = ${key.runId}
    UNION ALL
    (SELECT NULL, NULL, NULL, l.id, l.attempt, l.seq, l.stream, l.line, l.continues, l.at
     FROM LogLine l
     WHERE l.runId = ${key.runId} AND l.stepId = ${key.stepId} AND l.matrixKey = ${key.matrixKey}
       AND l.id > ${afterId}
     ORDER BY l.id
     LIMIT ${BATCH_ROWS})`;
  let progress: StepProgress | undefined;
  const rows: StoredLogRow[] = [];
  for (const r of result) {
    if (r.id === null) {
      progress = {
        runStatus: r.runStatus!,
        stepStatus: r.stepStatus ?? undefined,
        stepAttempt: r.stepAttempt === null ? undefined : Number(r.stepAttempt),
      };
      continue;
    }
    rows.push({
      id: BigInt(r.id),
      attempt: Number(r.attempt),
      seq: Number(r.seq),
      stream: r.stream!,
      line: r.line!,
      continues: Boolean(Number(r.continues)),
      at: r.at instanceof Date ? r.at : new Date(r.at!),
    });
  }
  // UNION ALL promises no order across its parts
  rows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { progress, rows };
}

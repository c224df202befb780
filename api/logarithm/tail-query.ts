import type { Db } from '../../lib/db';
import { BATCH_ROWS, type LogKey, type LogRow } from './rows';
import type { StepProgress } from './completion';

interface TickRow {
  runStatus: string;
  stepStatus: string | null;
  stepAttempt: number | null;
  id: bigint | number | string | null;
  attempt: number | null;
  seq: number | null;
  stream: string | null;
  line: string | null;
  at: Date | null;
}

export interface Tick {
  /** undefined: the run is gone */
  progress?: StepProgress;
  rows: LogRow[];
}

/**
 * One statement per tick: the new rows and the step's and run's status, from one consistent
 * snapshot, so "terminal and nothing more" is never judged on rows older than the status.
 */
export async function readTick(db: Db, key: LogKey, afterId: bigint): Promise<Tick> {
  const result = await db.$queryRaw<TickRow[]>`
    SELECT r.status AS runStatus, s.status AS stepStatus, s.attempt AS stepAttempt,
           l.id, l.attempt, l.seq, l.stream, l.line, l.at
    FROM Run r
    LEFT JOIN StepRun s ON s.runId = r.id AND s.stepId = ${key.stepId} AND s.matrixKey = ${key.matrixKey}
    LEFT JOIN LogLine l ON l.runId = r.id AND l.stepId = ${key.stepId} AND l.matrixKey = ${key.matrixKey}
                       AND l.id > ${afterId}
    WHERE r.id = ${key.runId}
    ORDER BY l.id
    LIMIT ${BATCH_ROWS}`;
  const first = result[0];
  if (!first) return { rows: [] };
  const progress: StepProgress = {
    runStatus: first.runStatus,
    stepStatus: first.stepStatus ?? undefined,
    stepAttempt: first.stepAttempt === null ? undefined : Number(first.stepAttempt),
  };
  const rows: LogRow[] = [];
  for (const r of result) {
    if (r.id === null) continue;
    rows.push({
      id: BigInt(r.id),
      attempt: Number(r.attempt),
      seq: Number(r.seq),
      stream: r.stream!,
      line: r.line!,
      at: r.at!,
    });
  }
  return { progress, rows };
}

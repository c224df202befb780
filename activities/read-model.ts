import crypto from 'node:crypto';
import type { Db } from '../lib/db';
import { TERMINAL_RUN_STATUSES, type RunRecord, type StepRecord } from '../contract';

const json = (v: unknown) => (v === undefined ? null : JSON.stringify(v));

/**
 * Step status transitions, idempotent by (run, step, matrix key) and ordered by attempt:
 * a record for an older attempt never overwrites a newer one; the workflow's settling records
 * (no attempt) always apply.
 */
export async function recordStepStarted(
  db: Db,
  r: {
    runId: string;
    stepId: string;
    matrixKey: string;
    matrix?: Record<string, string>;
    attempt: number;
    at: Date;
  },
): Promise<void> {
  await db.$executeRaw`
    INSERT INTO StepRun (id, runId, stepId, matrixKey, matrix, status, attempt, startedAt, updatedAt)
    VALUES (${crypto.randomUUID()}, ${r.runId}, ${r.stepId}, ${r.matrixKey}, ${json(r.matrix)}, 'running', ${r.attempt}, ${r.at}, ${r.at})
    ON DUPLICATE KEY UPDATE
      status = IF(${r.attempt} >= attempt, 'running', status),
      exitCode = IF(${r.attempt} > attempt, NULL, exitCode),
      error = IF(${r.attempt} > attempt, NULL, error),
      finishedAt = IF(${r.attempt} > attempt, NULL, finishedAt),
      startedAt = COALESCE(startedAt, VALUES(startedAt)),
      updatedAt = VALUES(updatedAt),
      attempt = GREATEST(attempt, ${r.attempt})`;
}

export async function recordStep(
  db: Db,
  r: StepRecord & { exitCode?: number | null; matrix?: Record<string, string> },
): Promise<void> {
  const at = new Date(r.at);
  const attempt = r.attempt ?? 0;
  // the workflow's own records (skipped, waiting, cancelled...) name no attempt: they settle the step whatever ran
  const settles = r.attempt === undefined ? 1 : 0;
  const terminal = r.status !== 'running' && r.status !== 'waiting' && r.status !== 'pending';
  const d = r.decision;
  await db.$executeRaw`
    INSERT INTO StepRun (id, runId, stepId, matrixKey, matrix, status, attempt, exitCode, outputs, error, reused,
                         decidedBy, decidedAt, decision, comment, startedAt, finishedAt, updatedAt)
    VALUES (${crypto.randomUUID()}, ${r.runId}, ${r.stepId}, ${r.matrixKey}, ${json(r.matrix)}, ${r.status}, ${attempt},
            ${r.exitCode ?? null}, ${json(r.outputs)}, ${r.error ?? null}, ${r.reused ?? false},
            ${d?.by ?? null}, ${d ? new Date(d.at) : null}, ${d?.decision ?? null}, ${d?.comment ?? null},
            ${r.status === 'waiting' ? at : null}, ${terminal ? at : null}, ${at})
    ON DUPLICATE KEY UPDATE
      status = IF(${settles} OR ${attempt} >= attempt, VALUES(status), status),
      exitCode = IF(${settles} OR ${attempt} >= attempt, COALESCE(VALUES(exitCode), exitCode), exitCode),
      outputs = COALESCE(VALUES(outputs), outputs),
      error = IF(${settles} OR ${attempt} >= attempt, COALESCE(VALUES(error), error), error),
      reused = VALUES(reused) OR reused,
      decidedBy = COALESCE(VALUES(decidedBy), decidedBy),
      decidedAt = COALESCE(VALUES(decidedAt), decidedAt),
      decision = COALESCE(VALUES(decision), decision),
      comment = COALESCE(VALUES(comment), comment),
      startedAt = COALESCE(startedAt, VALUES(startedAt)),
      finishedAt = IF(${settles} OR ${attempt} >= attempt, COALESCE(VALUES(finishedAt), finishedAt), finishedAt),
      updatedAt = VALUES(updatedAt),
      attempt = GREATEST(attempt, ${attempt})`;
}

/** Run status transitions; a finished run never goes back to running. True when this record finished the run. */
export async function recordRun(db: Db, r: RunRecord): Promise<boolean> {
  const at = new Date(r.at);
  const terminal = TERMINAL_RUN_STATUSES.includes(r.status);
  const { count } = await db.run.updateMany({
    where: { id: r.runId, status: { notIn: [...TERMINAL_RUN_STATUSES] } },
    data: {
      status: r.status,
      ...(r.error !== undefined ? { error: r.error } : {}),
      ...(terminal ? { finishedAt: at } : {}),
    },
  });
  if (r.status === 'running') {
    await db.run.updateMany({ where: { id: r.runId, startedAt: null }, data: { startedAt: at } });
  }
  return terminal && count > 0;
}

import type { Db } from '../../lib/db';
import { notFound } from '../../lib/errors';
import { UUID } from './lookup';
import type { Project, Run, StepRun } from '../../generated/prisma/client';

const RUN_COLUMNS = [
  'id',
  'projectId',
  'pipelineId',
  'pipelineVersionId',
  'number',
  'status',
  'params',
  'trigger',
  'workflowId',
  'idempotencyKey',
  'rerunOfId',
  'workspaceId',
  'rerunFrom',
  'createdById',
  'triggerInfo',
  'concurrencyGroup',
  'error',
  'createdAt',
  'startedAt',
  'finishedAt',
  'logsArchivedAt',
  'noCache',
] as const satisfies readonly (keyof Run)[];
const STEP_COLUMNS = [
  'id',
  'runId',
  'stepId',
  'matrixKey',
  'matrix',
  'status',
  'attempt',
  'exitCode',
  'outputs',
  'error',
  'reused',
  'decidedBy',
  'decidedAt',
  'decision',
  'comment',
  'startedAt',
  'finishedAt',
  'updatedAt',
  'fingerprint',
  'fingerprintInputs',
  'cachedFromRunId',
  'cachedFromNumber',
  'workspaceSnapshot',
  'notMemoizable',
] as const satisfies readonly (keyof StepRun)[];
/** A column added to the schema and not read here is a type error, not a field the API silently drops. */
type Unread<T, C extends readonly (keyof T)[]> = Exclude<keyof T, C[number]>;
const allRead: [Unread<Run, typeof RUN_COLUMNS>, Unread<StepRun, typeof STEP_COLUMNS>] extends [never, never]
  ? true
  : never = true;
void allRead;
const JSON_COLUMNS = new Set(['params', 'triggerInfo', 'matrix', 'outputs', 'fingerprintInputs']);
const FLAG_COLUMNS = new Set(['noCache', 'reused']);
const DATE_COLUMNS = new Set([
  'createdAt',
  'startedAt',
  'finishedAt',
  'logsArchivedAt',
  'decidedAt',
  'updatedAt',
]);

/** Both tables' columns, the step's prefixed with `s_`; a run with no steps yet comes back once with NULL steps. */
const STATEMENT = `SELECT ${RUN_COLUMNS.map((c) => `r.\`${c}\``).join(', ')},
  ${STEP_COLUMNS.map((c) => `s.\`${c}\` AS \`s_${c}\``).join(', ')}
  FROM Run r LEFT JOIN StepRun s ON s.runId = r.id WHERE r.id = ? AND r.projectId = ?`;

/** A raw column value as Prisma's model would type it (the raw path hands JSON back as text, flags as 0/1). */
function typed(column: string, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (JSON_COLUMNS.has(column)) return typeof v === 'string' ? JSON.parse(v) : v;
  if (FLAG_COLUMNS.has(column)) return v === true || Number(v) === 1;
  if (DATE_COLUMNS.has(column)) return v instanceof Date ? v : new Date(String(v));
  if (typeof v === 'bigint') return Number(v);
  return v;
}

function pick<T>(row: Record<string, unknown>, columns: readonly string[], prefix = ''): T {
  const out: Record<string, unknown> = {};
  for (const c of columns) out[c] = typed(c, row[prefix + c]);
  return out as T;
}

/**
 * A run of this project and its step rows in one statement: GET of a run is the API's hottest
 * read, and Prisma made it two queries of its own. Anything else (malformed, other project) is "not found".
 */
export async function runWithSteps(
  db: Db,
  project: Project,
  runId: string,
): Promise<{ run: Run; steps: StepRun[] }> {
  if (!UUID.test(runId)) throw notFound(`run ${JSON.stringify(runId)}`);
  const rows = await db.$queryRawUnsafe<Record<string, unknown>[]>(STATEMENT, runId, project.id);
  if (rows.length === 0) throw notFound(`run ${JSON.stringify(runId)}`);
  const run = pick<Run>(rows[0]!, RUN_COLUMNS);
  const steps = rows.filter((r) => r.s_id !== null).map((r) => pick<StepRun>(r, STEP_COLUMNS, 's_'));
  return { run, steps };
}

import type { Db } from '../../lib/db';
import { notFound } from '../../lib/errors';
import type { StepLogKey } from './rows';

/** A log that exists: its key, and how many attempts the plan allows the step. */
export interface LogTarget {
  key: StepLogKey;
  /** the step's retry limit from the plan (1 when the plan does not know the step) */
  maxAttempts: number;
}

interface PlanStep {
  id?: unknown;
  retry?: { attempts?: unknown };
}

function planSteps(plan: unknown): PlanStep[] {
  if (typeof plan !== 'object' || plan === null) return [];
  const { nodes, finally: fin } = plan as { nodes?: unknown; finally?: unknown };
  return [...(Array.isArray(nodes) ? nodes : []), ...(Array.isArray(fin) ? fin : [])] as PlanStep[];
}

/**
 * The run (of this project) and the step whose log is asked for. A step is known when the run's
 * plan has it or the run recorded it; anything else is 404, as is another project's run.
 */
export async function resolveLogTarget(
  db: Db,
  projectId: string,
  runId: string,
  stepId: string,
  matrixKey: string,
): Promise<LogTarget> {
  const run = await db.run.findFirst({
    where: { id: runId, projectId },
    select: { id: true, pipelineVersion: { select: { plan: true } } },
  });
  if (!run) throw notFound(`run ${JSON.stringify(runId)}`);
  const planned = planSteps(run.pipelineVersion.plan).find((n) => n.id === stepId);
  if (!planned) {
    const recorded = await db.stepRun.findFirst({ where: { runId, stepId }, select: { id: true } });
    const logged =
      recorded ??
      (await db.logLine.findFirst({ where: { runId, stepId }, select: { id: true } })) ??
      (await db.logArchive.findFirst({ where: { runId, stepId }, select: { id: true } }));
    if (!logged) throw notFound(`step ${JSON.stringify(stepId)} in run ${runId}`);
  }
  const attempts = planned?.retry?.attempts;
  return {
    key: { runId, stepId, matrixKey },
    maxAttempts: typeof attempts === 'number' && attempts >= 1 ? attempts : 1,
  };
}

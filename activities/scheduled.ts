import type { Config } from '../lib/config';
import type { Db } from '../lib/db';
import { validatePlan } from '../pipeline';
import { resolveParams } from '../services/runs/params';
import { createRun, runWorkflowOptions } from '../services/runs/start';
import type { PipelineRunInput } from '../contract';

export interface PreparedScheduledRun {
  workflowId: string;
  input: PipelineRunInput;
  memo: Record<string, unknown>;
  summary: string;
  details: string;
}

/** Creates the Run row of one scheduled action (idempotent by the action's workflow id). */
export async function prepareScheduledRun(
  db: Db,
  config: Config,
  req: { scheduleId: string; workflowId: string },
): Promise<PreparedScheduledRun | null> {
  const schedule = await db.schedule.findUnique({
    where: { id: req.scheduleId },
    include: { pipeline: { include: { project: true } } },
  });
  if (!schedule) return null;
  const { pipeline } = schedule;
  const version = await db.pipelineVersion.findUniqueOrThrow({
    where: { pipelineId_version: { pipelineId: pipeline.id, version: pipeline.latestVersion } },
  });
  const plan = validatePlan(version.plan);
  const startReq = {
    project: pipeline.project,
    pipeline,
    version,
    params: resolveParams(plan, schedule.params),
    trigger: 'schedule',
    triggerInfo: { event: 'schedule' },
    idempotencyKey: `schedule:${req.workflowId}`.slice(0, 255),
  };
  const { run, input } = await createRun({ db, config }, startReq);
  const options = runWorkflowOptions(config, startReq, run);
  return {
    workflowId: run.workflowId,
    input,
    memo: options.memo,
    summary: options.staticSummary,
    details: options.staticDetails,
  };
}

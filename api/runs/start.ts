import crypto from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { ExecutionPlan } from '../../pipeline';
import type { Config } from '../../lib/config';
import type { Db } from '../../lib/db';
import { HttpError, invalid } from '../../lib/errors';
import { searchAttributes } from '../../lib/temporal';
import { apiMetrics } from '../http/metrics';
import type { Pipeline, PipelineVersion, Project, Run } from '../../generated/prisma/client';
import type { PipelineRunInput } from '../../workflows/types';
import { paramsView, referenceSecretParams, storeSecretParams } from '../scaler/secret-params';

export interface StartRunRequest {
  project: Project;
  pipeline: Pipeline;
  version: PipelineVersion;
  params: Record<string, string>;
  trigger: string;
  actorId?: string;
  idempotencyKey?: string;
  /** a rerun shares the workspace of the run it repeats, so reused steps' files are there */
  rerunOf?: { id: string; workspaceId: string; from: 'failed' | 'start'; reuse?: PipelineRunInput['reuse'] };
}

const canonical = (params: unknown) =>
  JSON.stringify(
    Object.entries((params ?? {}) as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)),
  );

/** A reused Idempotency-Key must name the same request (IETF Idempotency-Key draft: else 422). */
function sameRequest(existing: Run, req: StartRunRequest): Run {
  const plan = req.version.plan as unknown as ExecutionPlan;
  // secret params are stored as references: compare those, never a value
  if (canonical(existing.params) !== canonical(referenceSecretParams(plan, req.params).params)) {
    throw invalid('Idempotency-Key was already used for a request with other params', [
      { path: 'Idempotency-Key', message: `names run #${existing.number}, started with other params` },
    ]);
  }
  return existing;
}

const TRIGGER_TRANSACTION = { maxWait: 15_000, timeout: 15_000 };

export const workflowIdOf = (runId: string) => `run-${runId}`;

/** What the Temporal UI shows under a run's summary (markdown): where it came from and how to get back to it. */
function runDetails(config: Config, req: StartRunRequest, run: Run, given: Record<string, string>): string {
  const api = `${config.publicUrl}/api/v1/projects/${encodeURIComponent(req.project.name)}/runs/${run.id}`;
  const secretName = new RegExp(config.CO_SECRET_ENV_PATTERN, 'i');
  const shown = (k: string, v: string) =>
    secretName.test(k) ? '***' : v.length > 80 ? `${v.slice(0, 77)}...` : v;
  const params = Object.entries(paramsView(given) as Record<string, string>)
    .map(([k, v]) => `\`${k}\` = \`${shown(k, v)}\``)
    .join(', ');
  return [
    `**${req.project.name}/${req.pipeline.name}** run #${run.number}, version ${req.version.version}, trigger \`${req.trigger}\``,
    params ? `params: ${params}` : 'no params',
    req.rerunOf ? `rerun of ${req.rerunOf.id} from ${req.rerunOf.from}` : undefined,
    `[run in the API](${api})`,
  ]
    .filter(Boolean)
    .join('\n\n');
}

/**
 * Creates the Run row (number taken atomically from the pipeline) and starts its workflow.
 * With an Idempotency-Key, a second request returns the first run instead of starting another
 * (422 when its params differ).
 * If the workflow cannot be started, the row is removed: nothing is half-created.
 */
export async function startRun(
  deps: { db: Db; client: Client; config: Config },
  req: StartRunRequest,
): Promise<{ run: Run; created: boolean }> {
  const { db } = deps;
  if (req.idempotencyKey) {
    const existing = await db.run.findUnique({
      where: {
        pipelineId_idempotencyKey: { pipelineId: req.pipeline.id, idempotencyKey: req.idempotencyKey },
      },
    });
    if (existing) return { run: sameRequest(existing, req), created: false };
  }
  const id = crypto.randomUUID();
  const plan = req.version.plan as unknown as ExecutionPlan;
  const secretParams = referenceSecretParams(plan, req.params);
  let run: Run;
  try {
    run = await db.$transaction(async (tx) => {
      const bumped = await tx.pipeline.update({
        where: { id: req.pipeline.id },
        data: { nextRunNumber: { increment: 1 } },
      });
      const created = await tx.run.create({
        data: {
          id,
          projectId: req.project.id,
          pipelineId: req.pipeline.id,
          pipelineVersionId: req.version.id,
          number: bumped.nextRunNumber - 1,
          status: 'queued',
          params: secretParams.params,
          trigger: req.trigger,
          workflowId: workflowIdOf(id),
          idempotencyKey: req.idempotencyKey ?? null,
          rerunOfId: req.rerunOf?.id ?? null,
          rerunFrom: req.rerunOf?.from ?? null,
          workspaceId: req.rerunOf?.workspaceId ?? id,
          createdById: req.actorId ?? null,
        },
      });
      await storeSecretParams(tx, deps.config, id, secretParams.values, req.rerunOf?.id, secretParams.params);
      return created;
      // triggers of one pipeline queue on its row lock (TRIGGER_TRANSACTION); under a burst they wait, not fail
    }, TRIGGER_TRANSACTION);
  } catch (err) {
    if ((err as { code?: string }).code === 'P2002' && req.idempotencyKey) {
      const existing = await db.run.findUniqueOrThrow({
        where: {
          pipelineId_idempotencyKey: { pipelineId: req.pipeline.id, idempotencyKey: req.idempotencyKey },
        },
      });
      return { run: sameRequest(existing, req), created: false };
    }
    throw err;
  }

  const input: PipelineRunInput = {
    runId: run.id,
    project: req.project.name,
    pipeline: req.pipeline.name,
    number: run.number,
    plan,
    params: secretParams.params,
    reuse: req.rerunOf?.reuse,
    workspaceId: run.workspaceId ?? run.id,
  };
  try {
    await deps.client.workflow.start('pipelineRun', {
      taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
      workflowId: run.workflowId,
      args: [input],
      typedSearchAttributes: [
        { key: searchAttributes.project, value: req.project.name },
        { key: searchAttributes.pipeline, value: req.pipeline.name },
        { key: searchAttributes.trigger, value: req.trigger },
        { key: searchAttributes.status, value: 'queued' },
      ],
      memo: {
        project: req.project.name,
        pipeline: req.pipeline.name,
        number: run.number,
        version: req.version.version,
      },
      staticSummary: `${req.project.name}/${req.pipeline.name} #${run.number} · ${req.trigger}`,
      staticDetails: runDetails(deps.config, req, run, secretParams.params),
    });
  } catch (err) {
    await db.run.delete({ where: { id: run.id } }).catch(() => undefined);
    throw new HttpError(
      503,
      'Service Unavailable',
      `the run could not be started: ${(err as Error).message.split('\n')[0]}`,
    );
  }
  apiMetrics.runsStarted.inc({
    project: req.project.name,
    pipeline: req.pipeline.name,
    trigger: req.trigger,
  });
  return { run, created: true };
}

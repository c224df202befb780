import crypto from 'node:crypto';
import type { Client } from '@temporalio/client';
import { validatePlan, type ExecutionPlan, type TriggerContext } from '../../pipeline';
import { concurrencyOf, groupWorkflowIdOf } from './concurrency';
import type { Config } from '../../lib/config';
import type { Db } from '../../lib/db';
import { HttpError, invalid } from '../../lib/errors';
import { runsStarted } from './metrics';
import type { Pipeline, PipelineVersion, Project, Run } from '../../generated/prisma/client';
import { runPageUrl, runWorkflowId, searchAttributes, type PipelineRunInput } from '../../contract';
import { paramsView, referenceSecretParams, storeSecretParams } from './secret-params';

export interface StartRunRequest {
  project: Project;
  pipeline: Pipeline;
  version: PipelineVersion;
  params: Record<string, string>;
  trigger: string;
  /** details of what started it; `{event: trigger}` when absent */
  triggerInfo?: TriggerContext;
  actorId?: string;
  idempotencyKey?: string;
  /** memoized steps of this run run again (no reuse) */
  noCache?: boolean;
  /** a rerun shares the workspace of the run it repeats, so reused steps' files are there */
  rerunOf?: { id: string; workspaceId: string; from: 'failed' | 'start'; reuse?: PipelineRunInput['reuse'] };
}

const canonical = (params: unknown) =>
  JSON.stringify(
    Object.entries((params ?? {}) as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)),
  );

/** A reused Idempotency-Key must name the same request (IETF Idempotency-Key draft: else 422). */
function sameRequest(existing: Run, req: StartRunRequest, plan: ExecutionPlan): Run {
  // secret params are stored as references: compare those, never a value
  if (canonical(existing.params) !== canonical(referenceSecretParams(plan, req.params).params)) {
    throw invalid('Idempotency-Key was already used for a request with other params', [
      { path: 'Idempotency-Key', message: `names run #${existing.number}, started with other params` },
    ]);
  }
  return existing;
}

/** The workflow type of a run (workflows/pipelineRun.ts). */
export const PIPELINE_RUN_WORKFLOW = 'pipelineRun';

const TRIGGER_TRANSACTION = { maxWait: 15_000, timeout: 15_000 };

/** What the Temporal UI shows under a run's summary (markdown): where it came from and how to get back to it. */
function runDetails(config: Config, req: StartRunRequest, run: Run, given: Record<string, string>): string {
  const page = runPageUrl(config.publicUrl, req.project.name, run.id);
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
    `[run page](${page}) · [run in the API](${api})`,
  ]
    .filter(Boolean)
    .join('\n\n');
}

/**
 * Creates the Run row (number taken atomically from the pipeline) and starts its workflow.

/**
 * Creates the Run row (number taken atomically from the pipeline) and the input of its workflow.
 * With an idempotency key, a second call returns the first run (created: false) and its input
 * (422 when its params differ).
 */
export async function createRun(
  deps: { db: Db; config: Config },
  req: StartRunRequest,
): Promise<{ run: Run; created: boolean; input: PipelineRunInput }> {
  const { db } = deps;
  const plan = validatePlan(req.version.plan);
  const existingRun = async () => {
    if (!req.idempotencyKey) return undefined;
    const run = await db.run.findUnique({
      where: {
        pipelineId_idempotencyKey: { pipelineId: req.pipeline.id, idempotencyKey: req.idempotencyKey },
      },
    });
    return run
      ? { run: sameRequest(run, req, plan), created: false, input: runInput(req, plan, run, deps.config) }
      : undefined;
  };
  const existing = await existingRun();
  if (existing) return existing;
  const id = crypto.randomUUID();
  const trigger: TriggerContext = req.triggerInfo ?? { event: req.trigger };
  const secretParams = referenceSecretParams(plan, req.params);
  try {
    const run = await db.$transaction(async (tx) => {
      const bumped = await tx.pipeline.update({
        where: { id: req.pipeline.id },
        data: { nextRunNumber: { increment: 1 } },
      });
      const number = bumped.nextRunNumber - 1;
      const concurrency = concurrencyOf(plan, req.project.id, {
        params: secretParams.params,
        run: { id, number },
        trigger,
      });
      const created = await tx.run.create({
        data: runRow(req, { id, number, trigger, params: secretParams.params, concurrency }),
      });
      await storeSecretParams(tx, deps.config, id, secretParams.values, req.rerunOf?.id, secretParams.params);
      return created;
      // triggers of one pipeline queue on its row lock (TRIGGER_TRANSACTION); under a burst they wait, not fail
    }, TRIGGER_TRANSACTION);
    return { run, created: true, input: runInput(req, plan, run, deps.config) };
  } catch (err) {
    if ((err as { code?: string }).code === 'P2002' && req.idempotencyKey) {
      const raced = await existingRun();
      if (raced) return raced;
    }
    throw err;
  }
}

/** The Run row of a request, queued, with its number and what its trigger decided. */
function runRow(
  req: StartRunRequest,
  row: {
    id: string;
    number: number;
    trigger: TriggerContext;
    params: ReturnType<typeof referenceSecretParams>['params'];
    concurrency: ReturnType<typeof concurrencyOf>;
  },
): Parameters<Db['run']['create']>[0]['data'] {
  const { id, number, trigger, params, concurrency } = row;
  return {
    id,
    projectId: req.project.id,
    pipelineId: req.pipeline.id,
    pipelineVersionId: req.version.id,
    number,
    status: 'queued',
    params,
    trigger: req.trigger,
    workflowId: runWorkflowId({
      project: req.project.name,
      pipeline: req.pipeline.name,
      number,
      runId: id,
    }),
    idempotencyKey: req.idempotencyKey ?? null,
    rerunOfId: req.rerunOf?.id ?? null,
    rerunFrom: req.rerunOf?.from ?? null,
    workspaceId: req.rerunOf?.workspaceId ?? id,
    createdById: req.actorId ?? null,
    triggerInfo: trigger as object,
    concurrencyGroup: concurrency?.group ?? null,
    noCache: req.noCache ?? false,
  };
}

/** The workflow input of a run row: everything was decided when the row was written (secret params as references). */
function runInput(req: StartRunRequest, plan: ExecutionPlan, run: Run, config: Config): PipelineRunInput {
  const group = run.concurrencyGroup;
  return {
    runId: run.id,
    project: req.project.name,
    pipeline: req.pipeline.name,
    number: run.number,
    plan,
    params: run.params as Record<string, string>,
    reuse: req.rerunOf?.reuse,
    workspaceId: run.workspaceId ?? run.id,
    trigger: (run.triggerInfo as unknown as TriggerContext | null) ?? { event: run.trigger },
    concurrency: group
      ? {
          group,
          cancelInProgress: plan.concurrency?.cancelInProgress ?? false,
          workflowId: groupWorkflowIdOf(run.projectId, group),
        }
      : undefined,
    chainSteps: plan.chainSteps ?? config.CO_CHAIN_STEPS,
  };
}

/** Search attributes, memo and summary of a run's workflow (started directly or as a scheduled child). */
export function runWorkflowOptions(config: Config, req: StartRunRequest, run: Run) {
  return {
    workflowId: run.workflowId,
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
    staticDetails: runDetails(config, req, run, run.params as Record<string, string>),
  };
}

/**
 * Creates the run and starts its workflow. If the workflow cannot be started, the row is
 * removed: nothing is half-created.
 */
export async function startRun(
  deps: { db: Db; client: Client; config: Config },
  req: StartRunRequest,
): Promise<{ run: Run; created: boolean }> {
  const { run, created, input } = await createRun(deps, req);
  if (!created) return { run, created };
  try {
    // by its type name: the run service does not import workflow code (arrows point down)
    await deps.client.workflow.start(PIPELINE_RUN_WORKFLOW, {
      taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
      args: [input],
      ...runWorkflowOptions(deps.config, req, run),
    });
  } catch (err) {
    await deps.db.run.delete({ where: { id: run.id } }).catch(() => undefined);
    throw new HttpError(
      503,
      'Service Unavailable',
      `the run could not be started: ${(err as Error).message.split('\n')[0]}`,
    );
  }
  runsStarted.inc({
    project: req.project.name,
    pipeline: req.pipeline.name,
    trigger: req.trigger,
  });
  return { run, created: true };
}

import { startRerunStatus } from '../forges/statuses';
import { z } from 'zod';
import { validatePlan, type TriggerContext } from '../../pipeline';
import { forbidden, invalid, notFound } from '../../lib/errors';
import type { ApiDeps } from '../deps';
import type { RouteDef } from '../http/route';
import { pageOf, paged } from '../http/pagination';
import { parseOr422 } from '../../lib/validate';
import { audit } from '../crew/audit';
import { canDecideApproval } from '../crew/approvers';
import { findPipeline, latestVersion } from '../pipelines/service';
import { resolveParams } from '../../services/runs/params';
import { startRun } from '../../services/runs/start';
import { findRun } from './lookup';
import { runWithSteps } from './run-read';
import { VersionCache } from './version-cache';
import { runSummary, stepsView } from './view';
import { triggerView } from './trigger-view';
import { deploymentState, steerDeployment } from './deployment';
import { assertRerunnable, cancelRun, decideApproval, reusableSteps } from './control';
import { RUN_STATUSES } from '../../contract';

/** `noCache`: memoized steps run again instead of reusing an earlier result */
const triggerBody = z
  .strictObject({ params: z.unknown().optional(), noCache: z.boolean().optional() })
  .optional();
const rerunBody = z.strictObject({ from: z.enum(['failed', 'start']).default('failed') });
const deploymentBody = z.strictObject({
  action: z.enum(['pause', 'resume', 'abort']),
  reason: z.string().max(500).optional(),
});
const approvalBody = z.strictObject({
  decision: z.enum(['approve', 'reject']),
  comment: z.string().max(2000).optional(),
});
const listQuery = z.object({
  pipeline: z.string().max(64).optional(),
  status: z.enum(RUN_STATUSES).optional(),
});
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

export function runRoutes(deps: ApiDeps): RouteDef[] {
  return [
    ...triggerRoutes(deps),
    ...runListRoutes(deps),
    ...runReadRoutes(deps),
    ...runControlRoutes(deps),
    ...approvalRoutes(deps),
    ...deploymentRoutes(deps),
  ];
}

/** POST a run of the latest pipeline version. */
function triggerRoutes(deps: ApiDeps): RouteDef[] {
  const { db, config } = deps;
  return [
    {
      method: 'post',
      path: '/projects/:project/pipelines/:name/runs',
      permission: { project: 'run' },
      summary:
        'Trigger a run of the latest pipeline version: {params, noCache?} (Idempotency-Key honoured; noCache: memoized steps run again)',
      async handler(req, res, { actor, project }) {
        const key = req.header('idempotency-key');
        if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
          throw invalid('Idempotency-Key is invalid', [
            { path: 'Idempotency-Key', message: 'must be 1-255 visible ASCII characters' },
          ]);
        }
        const body = parseOr422(
          triggerBody,
          req.body === undefined || req.body === '' ? undefined : req.body,
        );
        const pipeline = await findPipeline(db, project!, String(req.params.name));
        const version = await latestVersion(db, pipeline);
        const params = resolveParams(validatePlan(version.plan), body?.params);
        const { run, created } = await startRun(deps, {
          project: project!,
          pipeline,
          version,
          params,
          trigger: 'api',
          actorId: actor.userId,
          idempotencyKey: key,
          noCache: body?.noCache,
        });
        if (created) {
          await audit(db, {
            actor,
            projectId: project!.id,
            action: 'run.triggered',
            target: `${pipeline.name}#${run.number}`,
            details: { runId: run.id },
          });
        }
        res.status(created ? 201 : 200).json(runSummary(config, project!.name, pipeline.name, run));
      },
    },
  ];
}

/** The run list, newest first. */
function runListRoutes(deps: ApiDeps): RouteDef[] {
  const { db, config } = deps;
  return [
    {
      method: 'get',
      path: '/projects/:project/runs',
      permission: { project: 'read' },
      summary: 'List runs, newest first (?pipeline=&status=&limit=&cursor=)',
      async handler(req, res, { project }) {
        const page = pageOf({ limit: req.query.limit, cursor: req.query.cursor });
        const filter = parseOr422(
          listQuery,
          { pipeline: req.query.pipeline, status: req.query.status },
          'query',
        );
        const pipeline = filter.pipeline ? await findPipeline(db, project!, filter.pipeline) : undefined;
        const rows = await db.run
          .findMany({
            where: {
              projectId: project!.id,
              ...(pipeline ? { pipelineId: pipeline.id } : {}),
              ...(filter.status ? { status: filter.status } : {}),
            },
            include: { pipeline: true },
            orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
            take: page.limit + 1,
            ...(page.cursor ? { cursor: { id: page.cursor }, skip: 1 } : {}),
          })
          .catch((err) => {
            if ((err as { code?: string }).code === 'P2025')
              throw invalid('cursor is invalid', [{ path: 'cursor', message: 'unknown cursor' }]);
            throw err;
          });
        res.json(
          paged(
            rows,
            page.limit,
            (r) => r.id,
            (r) => runSummary(config, project!.name, r.pipeline.name, r),
          ),
        );
      },
    },
  ];
}

/** One run with its steps. */
function runReadRoutes(deps: ApiDeps): RouteDef[] {
  const { db, client, config } = deps;
  const versions = new VersionCache(db);
  return [
    {
      method: 'get',
      path: '/projects/:project/runs/:run',
      permission: { project: 'read' },
      summary: 'A run with its steps (status, attempts, exit code, outputs, timings)',
      async handler(req, res, { project }) {
        const { run, steps: rows } = await runWithSteps(db, project!, String(req.params.run));
        const version = await versions.get(run.pipelineVersionId);
        res.json({
          ...runSummary(config, project!.name, version.pipelineName, run),
          ...(await triggerView(client, run)),
          pipelineVersion: version.version,
          steps: stepsView(version.plan, rows, project!.name),
        });
      },
    },
  ];
}

/** Cancel and rerun a run. */
function runControlRoutes(deps: ApiDeps): RouteDef[] {
  const { db, client, config } = deps;
  return [
    {
      method: 'post',
      path: '/projects/:project/runs/:run/cancel',
      permission: { project: 'cancel' },
      summary: 'Cancel a run: running steps are stopped, then finally steps run',
      async handler(req, res, { actor, project }) {
        const run = await findRun(db, project!, String(req.params.run));
        await cancelRun(client, run);
        await audit(db, {
          actor,
          projectId: project!.id,
          action: 'run.cancelled',
          target: `${run.pipeline.name}#${run.number}`,
          details: { runId: run.id },
        });
        res.status(202).json({ id: run.id, status: 'cancelling' });
      },
    },
    {
      method: 'post',
      path: '/projects/:project/runs/:run/rerun',
      permission: { project: 'run' },
      summary: 'Rerun: from "failed" reuses succeeded steps, from "start" runs everything',
      async handler(req, res, { actor, project }) {
        const { from } = parseOr422(rerunBody, req.body ?? {});
        const run = await findRun(db, project!, String(req.params.run));
        assertRerunnable(run, from);
        const plan = validatePlan(run.pipelineVersion.plan);
        const reuse = from === 'failed' ? await reusableSteps(db, run, plan) : undefined;
        const { run: next } = await startRun(deps, {
          project: project!,
          pipeline: run.pipeline,
          version: run.pipelineVersion,
          params: run.params as Record<string, string>,
          trigger: 'rerun',
          // a rerun sees what the first run saw: the same commit, delivery or upstream run
          triggerInfo: (run.triggerInfo as unknown as TriggerContext | null) ?? undefined,
          actorId: actor.userId,
          rerunOf: { id: run.id, workspaceId: run.workspaceId ?? run.id, from, reuse },
        });
        await startRerunStatus(deps, project!, run.pipeline.name, next);
        await audit(db, {
          actor,
          projectId: project!.id,
          action: 'run.rerun',
          target: `${run.pipeline.name}#${next.number}`,
          details: { runId: next.id, of: run.id, from },
        });
        res.status(201).json(runSummary(config, project!.name, run.pipeline.name, next));
      },
    },
  ];
}

/** Decide a waiting approval step. */
function approvalRoutes(deps: ApiDeps): RouteDef[] {
  const { db, client } = deps;
  return [
    {
      method: 'post',
      path: '/projects/:project/runs/:run/steps/:step/approval',
      permission: { project: 'approve' },
      summary: 'Approve or reject a waiting approval step',
      async handler(req, res, { actor, project }) {
        const body = parseOr422(approvalBody, req.body);
        const run = await findRun(db, project!, String(req.params.run));
        const stepId = String(req.params.step);
        const plan = validatePlan(run.pipelineVersion.plan);
        const node = plan.nodes.find((n) => n.id === stepId);
        if (!node) throw notFound(`step ${JSON.stringify(stepId)}`);
        if (!node.approval)
          throw invalid(`step ${stepId} is not an approval step`, [
            { path: 'step', message: 'not an approval step' },
          ]);
        if (!(await canDecideApproval(db, actor, project!, node.approval.approvers))) {
          throw forbidden(
            `only ${node.approval.approvers.join(', ')} (or project owners) may decide ${stepId}`,
          );
        }
        const state = await decideApproval(client, run, {
          stepId,
          decision: body.decision,
          comment: body.comment,
          by: actor.name,
        });
        await audit(db, {
          actor,
          projectId: project!.id,
          action: body.decision === 'approve' ? 'run.approved' : 'run.rejected',
          target: `${run.pipeline.name}#${run.number}/${stepId}`,
          details: { runId: run.id, comment: body.comment },
        });
        res.json({ step: stepId, status: state.status, decision: body.decision, by: actor.name });
      },
    },
  ];
}

/** Read and steer a kubernetes-deploy step. */
function deploymentRoutes(deps: ApiDeps): RouteDef[] {
  const { db, client } = deps;
  return [
    {
      method: 'get',
      path: '/projects/:project/runs/:run/steps/:step/deployment',
      permission: { project: 'read' },
      summary: 'State of a kubernetes-deploy step (phase, applied objects, rollback)',
      async handler(req, res, { project }) {
        const run = await findRun(db, project!, String(req.params.run));
        res.json(await deploymentState(client, run, String(req.params.step)));
      },
    },
    {
      method: 'post',
      path: '/projects/:project/runs/:run/steps/:step/deployment',
      permission: { project: 'cancel' },
      summary: 'Pause, resume or abort a running kubernetes-deploy step',
      async handler(req, res, { actor, project }) {
        const body = parseOr422(deploymentBody, req.body);
        const run = await findRun(db, project!, String(req.params.run));
        const stepId = String(req.params.step);
        const reason = body.reason ?? `aborted by ${actor.name}`;
        const state = await steerDeployment(client, run, stepId, body.action, reason);
        await audit(db, {
          actor,
          projectId: project!.id,
          action: `deployment.${body.action}`,
          target: `${run.pipeline.name}#${run.number}/${stepId}`,
          details: { runId: run.id, reason: body.reason },
        });
        res.json(state);
      },
    },
  ];
}

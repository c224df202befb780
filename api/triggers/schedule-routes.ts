import { z } from 'zod';
import { ScheduleNotFoundError, type Client } from '@temporalio/client';
import crypto from 'node:crypto';
import { conflict, invalid, notFound } from '../../lib/errors';
import { validatePlan, cronProblem, OVERLAP_POLICIES } from '../../pipeline';
import { isTimeZone } from '../../pipeline/triggers';
import { resolveParams } from '../../services/runs/params';
import type { Db } from '../../lib/db';
import type { Pipeline, Schedule } from '../../generated/prisma/client';
import type { ApiDeps } from '../deps';
import type { RouteDef } from '../http/route';
import { parseOr422 } from '../../lib/validate';
import { audit } from '../crew/audit';
import { findPipeline } from '../pipelines/service';
import { createTemporalSchedule, deleteSchedule, scheduleLink, temporalScheduleId } from './schedules';
import { latestVersion } from '../pipelines/service';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Longest backfill window accepted: a year of a per-minute cron is already half a million runs. */
const MAX_BACKFILL_MS = 31 * 24 * 3600_000;

const backfillBody = z
  .strictObject({
    start: z.iso.datetime({ offset: true }),
    end: z.iso.datetime({ offset: true }),
  })
  .refine((b) => Date.parse(b.start) < Date.parse(b.end), {
    message: 'start must be before end',
    path: ['end'],
  })
  .refine((b) => Date.parse(b.end) - Date.parse(b.start) <= MAX_BACKFILL_MS, {
    message: 'the window may span at most 31 days',
    path: ['end'],
  });

const scheduleBody = z.strictObject({
  cron: z
    .string()
    .max(128)
    .refine((c) => cronProblem(c) === undefined, { error: (i) => cronProblem(String(i.input)) }),
  timezone: z
    .string()
    .max(64)
    .refine(isTimeZone, { message: 'unknown time zone (use an IANA name such as Europe/Paris)' })
    .default('UTC'),
  overlap: z.enum(OVERLAP_POLICIES).default('skip'),
  params: z.unknown().optional(),
});

async function findSchedule(db: Db, pipeline: Pipeline, id: string): Promise<Schedule> {
  const row = UUID.test(id) ? await db.schedule.findFirst({ where: { id, pipelineId: pipeline.id } }) : null;
  if (!row) throw notFound(`schedule ${JSON.stringify(id)}`);
  return row;
}

async function scheduleView(deps: { client: Client; config: ApiDeps['config'] }, row: Schedule) {
  const base = {
    id: row.id,
    origin: row.origin,
    cron: row.cron,
    timezone: row.timezone,
    overlap: row.overlap,
    params: row.params,
    pipelineVersion: row.pipelineVersion,
    temporalScheduleId: temporalScheduleId(row),
    links: { temporal: scheduleLink(deps.config, row) },
  };
  try {
    const d = await deps.client.schedule.getHandle(temporalScheduleId(row)).describe();
    return {
      ...base,
      paused: d.state.paused,
      nextRunAt: d.info.nextActionTimes.slice(0, 5),
      recentRuns: d.info.recentActions.map((a) => ({
        scheduledAt: a.scheduledAt,
        startedAt: a.takenAt,
        workflowId: a.action.workflow.workflowId,
      })),
      runsTaken: d.info.numActionsTaken,
    };
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) return { ...base, paused: !row.enabled, missing: true };
    throw err;
  }
}

export function scheduleRoutes(deps: ApiDeps): RouteDef[] {
  return [...scheduleListRoutes(deps), ...scheduleCreateRoutes(deps), ...scheduleChangeRoutes(deps)];
}

/** A POST that acts on one schedule, audited, answering with the schedule as it now is. */
function scheduleAction(
  deps: ApiDeps,
  name: 'pause' | 'unpause' | 'trigger' | 'backfill',
  summary: string,
  act: (row: Schedule, body: unknown) => Promise<void>,
): RouteDef {
  const { db } = deps;
  return {
    method: 'post',
    path: `/projects/:project/pipelines/:name/schedules/:id/${name}`,
    permission: { project: name === 'trigger' ? 'run' : 'write-pipelines' },
    summary,
    async handler(req, res, { actor, project }) {
      const pipeline = await findPipeline(db, project!, String(req.params.name));
      const row = await findSchedule(db, pipeline, String(req.params.id));
      await act(row, req.body);
      await audit(db, {
        actor,
        projectId: project!.id,
        action: `schedule.${name}`,
        target: `${pipeline.name}/${row.id}`,
      });
      res.json(await scheduleView(deps, await db.schedule.findUniqueOrThrow({ where: { id: row.id } })));
    },
  };
}

/** The schedules of a pipeline. */
function scheduleListRoutes(deps: ApiDeps): RouteDef[] {
  const { db } = deps;
  return [
    {
      method: 'get',
      path: '/projects/:project/pipelines/:name/schedules',
      permission: { project: 'read' },
      summary: 'The Temporal Schedules of a pipeline (from on.schedule of its latest version)',
      async handler(req, res, { project }) {
        const pipeline = await findPipeline(db, project!, String(req.params.name));
        const rows = await db.schedule.findMany({
          where: { pipelineId: pipeline.id },
          orderBy: [{ origin: 'desc' }, { position: 'asc' }, { createdAt: 'asc' }],
        });
        res.json({ items: await Promise.all(rows.map((r) => scheduleView(deps, r))) });
      },
    },
  ];
}

/** Add a schedule through the API. */
function scheduleCreateRoutes(deps: ApiDeps): RouteDef[] {
  const { db } = deps;
  return [
    {
      method: 'post',
      path: '/projects/:project/pipelines/:name/schedules',
      permission: { project: 'write-pipelines' },
      summary:
        'Add a schedule outside the pipeline document (kept across versions, removed with the pipeline)',
      async handler(req, res, { actor, project }) {
        const body = parseOr422(scheduleBody, req.body ?? {});
        const pipeline = await findPipeline(db, project!, String(req.params.name));
        const version = await latestVersion(db, pipeline);
        const plan = validatePlan(version.plan);
        const given = (body.params ?? {}) as Record<string, unknown>;
        resolveParams(plan, given); // 422 for undeclared or missing required params
        const params = Object.fromEntries(Object.entries(given).map(([k, v]) => [k, String(v)]));
        const row = await db.schedule.create({
          data: {
            id: crypto.randomUUID(),
            pipelineId: pipeline.id,
            origin: 'api',
            position: -1,
            pipelineVersion: version.version,
            cron: body.cron.trim(),
            timezone: body.timezone,
            overlap: body.overlap,
            params,
          },
        });
        try {
          await createTemporalSchedule(deps, project!, pipeline, row);
        } catch (err) {
          await db.schedule.delete({ where: { id: row.id } });
          throw err;
        }
        await audit(db, {
          actor,
          projectId: project!.id,
          action: 'schedule.created',
          target: `${pipeline.name}/${row.id}`,
          details: { cron: row.cron, timezone: row.timezone },
        });
        res.status(201).json(await scheduleView(deps, row));
      },
    },
  ];
}

/** Remove, pause, unpause, trigger and backfill a schedule. */
function scheduleChangeRoutes(deps: ApiDeps): RouteDef[] {
  const { db, client } = deps;
  const handle = (row: Schedule) => client.schedule.getHandle(temporalScheduleId(row));
  const action = scheduleAction.bind(null, deps);
  return [
    {
      method: 'delete',
      path: '/projects/:project/pipelines/:name/schedules/:id',
      permission: { project: 'write-pipelines' },
      summary: 'Remove a schedule added through the API (those of on.schedule change with the pipeline)',
      async handler(req, res, { actor, project }) {
        const pipeline = await findPipeline(db, project!, String(req.params.name));
        const row = await findSchedule(db, pipeline, String(req.params.id));
        if (row.origin !== 'api') {
          throw conflict('this schedule comes from on.schedule of the pipeline: save a version without it');
        }
        await deleteSchedule(deps, row);
        await audit(db, {
          actor,
          projectId: project!.id,
          action: 'schedule.deleted',
          target: `${pipeline.name}/${row.id}`,
        });
        res.status(204).end();
      },
    },
    action('pause', 'Pause a schedule: no run starts until it is unpaused', async (row) => {
      await handle(row).pause('paused through the ContainerOps API');
      await db.schedule.update({ where: { id: row.id }, data: { enabled: false } });
    }),
    action('unpause', 'Unpause a schedule', async (row) => {
      await handle(row).unpause('unpaused through the ContainerOps API');
      await db.schedule.update({ where: { id: row.id }, data: { enabled: true } });
    }),
    action('trigger', 'Start a scheduled run now (the overlap policy applies)', async (row) => {
      await handle(row).trigger();
    }),
    action(
      'backfill',
      'Run every action the schedule would have taken between start and end',
      async (row, body) => {
        const window = parseOr422(backfillBody, body ?? {});
        if (Date.parse(window.end) > Date.now() + 60_000) {
          throw invalid('a backfill covers the past', [
            { path: 'end', message: 'must not be in the future' },
          ]);
        }
        await handle(row).backfill({ start: new Date(window.start), end: new Date(window.end) });
      },
    ),
  ];
}

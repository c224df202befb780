import type { ApiDeps } from '../deps';
import type { RouteDef } from '../http/route';
import { pageOf, paged } from '../http/pagination';
import { audit } from '../crew/audit';
import { pipelineSource, sourceOptions } from './source';
import { catalogSnapshot } from '../nucleus/catalog';
import { compileOffThread } from './compile-pool';
import { referenceNames } from '../scaler/reference-names';
import {
  assertDeletable,
  createPipeline,
  findPipeline,
  latestVersion,
  pipelineView,
  updatePipeline,
} from './service';
import { deleteSchedules, syncSchedules } from '../triggers/schedules';

export function pipelineRoutes(deps: ApiDeps): RouteDef[] {
  return [...pipelineWriteRoutes(deps), ...pipelineUpdateRoutes(deps), ...pipelineItemRoutes(deps)];
}

/** Validate and create a pipeline. */
function pipelineWriteRoutes(deps: ApiDeps): RouteDef[] {
  const { db } = deps;
  return [
    {
      method: 'post',
      path: '/projects/:project/pipelines/validate',
      permission: { project: 'read' },
      summary: 'Dry run: compile a pipeline and return every error with its path and line',
      async handler(req, res, { project }) {
        const result = await compileOffThread(
          pipelineSource(req),
          await catalogSnapshot(db),
          await referenceNames(db, project!.id),
          sourceOptions(req),
        );
        res.json(
          result.ok
            ? { valid: true, errors: [], warnings: result.warnings, format: result.format, plan: result.plan }
            : { valid: false, errors: result.errors, warnings: result.warnings, plan: null },
        );
      },
    },
    {
      method: 'post',
      path: '/projects/:project/pipelines',
      permission: { project: 'write-pipelines' },
      summary: 'Create a pipeline from YAML (version 1)',
      async handler(req, res, { actor, project }) {
        const { pipeline, version, warnings } = await createPipeline(
          db,
          project!,
          pipelineSource(req),
          actor.userId,
          sourceOptions(req),
        );
        await syncSchedules(deps, project!, pipeline, version);
        await audit(db, { actor, projectId: project!.id, action: 'pipeline.created', target: pipeline.name });
        res.status(201).json({ ...pipelineView(pipeline, version), warnings });
      },
    },
  ];
}

/** Update a pipeline and list them. */
function pipelineUpdateRoutes(deps: ApiDeps): RouteDef[] {
  const { db } = deps;
  return [
    {
      method: 'put',
      path: '/projects/:project/pipelines/:name',
      permission: { project: 'write-pipelines' },
      summary: 'Store a new immutable version of a pipeline',
      async handler(req, res, { actor, project }) {
        const { pipeline, version, warnings } = await updatePipeline(
          db,
          project!,
          String(req.params.name),
          pipelineSource(req),
          actor.userId,
          sourceOptions(req),
        );
        await syncSchedules(deps, project!, pipeline, version);
        await audit(db, {
          actor,
          projectId: project!.id,
          action: 'pipeline.updated',
          target: pipeline.name,
          details: { version: version.version },
        });
        res.json({ ...pipelineView(pipeline, version), warnings });
      },
    },
    {
      method: 'get',
      path: '/projects/:project/pipelines',
      permission: { project: 'read' },
      summary: 'List pipelines',
      async handler(req, res, { project }) {
        const page = pageOf(req.query);
        const rows = await db.pipeline.findMany({
          where: { projectId: project!.id, ...(page.cursor ? { name: { gt: page.cursor } } : {}) },
          orderBy: { name: 'asc' },
          take: page.limit + 1,
        });
        res.json(
          paged(
            rows,
            page.limit,
            (p) => p.name,
            (p) => pipelineView(p),
          ),
        );
      },
    },
  ];
}

/** Delete and read one pipeline. */
function pipelineItemRoutes(deps: ApiDeps): RouteDef[] {
  const { db } = deps;
  return [
    {
      method: 'delete',
      path: '/projects/:project/pipelines/:name',
      permission: { project: 'write-pipelines' },
      summary:
        'Delete a pipeline with its versions, runs, schedules and hooks (409 while a run is unfinished)',
      async handler(req, res, { actor, project }) {
        const pipeline = await findPipeline(db, project!, String(req.params.name));
        await assertDeletable(db, pipeline);
        await deleteSchedules(deps, pipeline);
        await db.pipeline.delete({ where: { id: pipeline.id } });
        await audit(db, { actor, projectId: project!.id, action: 'pipeline.deleted', target: pipeline.name });
        res.status(204).end();
      },
    },
    {
      method: 'get',
      path: '/projects/:project/pipelines/:name',
      permission: { project: 'read' },
      summary: 'A pipeline with its latest version (source and plan)',
      async handler(req, res, { project }) {
        const pipeline = await findPipeline(db, project!, String(req.params.name));
        res.json(pipelineView(pipeline, await latestVersion(db, pipeline)));
      },
    },
  ];
}

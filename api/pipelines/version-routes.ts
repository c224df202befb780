import type { ApiDeps } from '../deps';
import type { RouteDef } from '../http/route';
import { notFound } from '../../lib/errors';
import { integerParam, plainInt } from '../http/integer-params';
import { findPipeline } from './service';

/** A pipeline's immutable versions: the history the editor diffs. */
export function pipelineVersionRoutes({ db }: ApiDeps): RouteDef[] {
  return [
    {
      method: 'get',
      path: '/projects/:project/pipelines/:name/versions',
      permission: { project: 'read' },
      summary: "A pipeline's versions, newest first (number, author, date; no source)",
      async handler(req, res, { project }) {
        const pipeline = await findPipeline(db, project!, String(req.params.name));
        const rows = await db.pipelineVersion.findMany({
          where: { pipelineId: pipeline.id },
          select: { version: true, format: true, createdAt: true, createdById: true },
          orderBy: { version: 'desc' },
        });
        const users = await db.user.findMany({
          where: { id: { in: rows.flatMap((r) => (r.createdById ? [r.createdById] : [])) } },
          select: { id: true, name: true },
        });
        const names = new Map(users.map((u) => [u.id, u.name]));
        res.json({
          items: rows.map((r) => ({
            version: r.version,
            format: r.format,
            createdAt: r.createdAt,
            createdBy: r.createdById ? (names.get(r.createdById) ?? null) : null,
          })),
        });
      },
    },
    {
      method: 'get',
      path: '/projects/:project/pipelines/:name/versions/:version',
      permission: { project: 'read' },
      summary: 'One version of a pipeline: its source and plan',
      async handler(req, res, { project }) {
        const pipeline = await findPipeline(db, project!, String(req.params.name));
        const number = integerParam('version', req.params.version, plainInt(1), 'path')!;
        const version = await db.pipelineVersion.findUnique({
          where: { pipelineId_version: { pipelineId: pipeline.id, version: number } },
        });
        if (!version)
          throw notFound(`version ${JSON.stringify(String(req.params.version))} of ${pipeline.name}`);
        res.json({
          name: pipeline.name,
          version: version.version,
          format: version.format,
          source: version.source,
          plan: version.plan,
          createdAt: version.createdAt,
        });
      },
    },
  ];
}

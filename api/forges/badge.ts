import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Db } from '../../lib/db';
import type { ApiDeps } from '../deps';
import type { RouteDef } from '../http/route';
import { parseOr422 } from '../http/validate';
import { audit } from '../crew/audit';
import { forgetProject } from '../crew/project-cache';
import { TERMINAL_RUN_STATUSES } from '../../contract';

const MESSAGE: Record<string, { text: string; color: string }> = {
  succeeded: { text: 'passing', color: '#2e7d32' },
  failed: { text: 'failing', color: '#c62828' },
  cancelled: { text: 'cancelled', color: '#757575' },
  timed_out: { text: 'timed out', color: '#ef6c00' },
};
const NO_RUN = { text: 'no runs', color: '#9e9e9e' };

const escapeXml = (s: string) =>
  s.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!,
  );
/** Verdana 11px averages about 6.5 px a character; a badge need not be exact. */
const widthOf = (text: string) => Math.round(text.length * 6.5 + 12);

/** A two-part badge: the pipeline's name on grey, the result on its colour. */
export function badgeSvg(label: string, message: { text: string; color: string }): string {
  const lw = widthOf(label);
  const mw = widthOf(message.text);
  const text = (x: number, s: string) =>
    `<text x="${x}" y="14" fill="#fff" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11" text-anchor="middle">${escapeXml(s)}</text>`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${lw + mw}" height="20" role="img" aria-label="${escapeXml(`${label}: ${message.text}`)}">`,
    `<rect width="${lw}" height="20" fill="#555"/>`,
    `<rect x="${lw}" width="${mw}" height="20" fill="${message.color}"/>`,
    text(lw / 2, label),
    text(lw + mw / 2, message.text),
    '</svg>',
  ].join('');
}

async function lastFinished(db: Db, projectId: string, pipelineId: string, branch: string | undefined) {
  return db.run.findFirst({
    where: {
      projectId,
      pipelineId,
      status: { in: [...TERMINAL_RUN_STATUSES] },
      ...(branch ? { triggerInfo: { path: '$.branch', equals: branch } } : {}),
    },
    orderBy: { createdAt: 'desc' },
    select: { status: true },
  });
}

/** `GET /badge/:project/:pipeline.svg?branch=`: public only where the project allows badges; else 404, so names do not leak. */
export function badgeRouter(db: Db): Router {
  const router = Router();
  router.get('/badge/:project/:pipeline.svg', async (req: Request, res: Response) => {
    const project = await db.project.findUnique({ where: { name: String(req.params.project).slice(0, 64) } });
    const pipeline =
      project?.badgesPublic &&
      (await db.pipeline.findUnique({
        where: { projectId_name: { projectId: project.id, name: String(req.params.pipeline).slice(0, 64) } },
      }));
    if (!project || !pipeline) {
      res
        .status(404)
        .type('application/problem+json')
        .json({ title: 'Not Found', status: 404, detail: 'no such badge' });
      return;
    }
    const branch =
      typeof req.query.branch === 'string' && req.query.branch !== ''
        ? req.query.branch.slice(0, 255)
        : undefined;
    const run = await lastFinished(db, project.id, pipeline.id, branch);
    res
      .type('image/svg+xml')
      .set('cache-control', 'no-cache')
      .send(badgeSvg(pipeline.name, run ? (MESSAGE[run.status] ?? NO_RUN) : NO_RUN));
  });
  return router;
}

const badgeBody = z.strictObject({ public: z.boolean() });

export function badgeSettingRoutes({ db }: ApiDeps): RouteDef[] {
  return [
    {
      method: 'put',
      path: '/projects/:project/badges',
      permission: { project: 'write-pipelines' },
      summary: 'Allow (or stop) status badges of the project’s pipelines without a token',
      async handler(req, res, { actor, project }) {
        const body = parseOr422(badgeBody, req.body);
        await db.project.update({ where: { id: project!.id }, data: { badgesPublic: body.public } });
        forgetProject(db, project!.name);
        await audit(db, {
          actor,
          projectId: project!.id,
          action: 'project.badges',
          target: project!.name,
          details: body,
        });
        res.json({ public: body.public });
      },
    },
  ];
}

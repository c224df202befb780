import { z } from 'zod';
import type { ApiDeps } from '../deps';
import type { RouteDef } from '../http/route';
import { pageOf, paged } from '../http/pagination';
import { parseOr422 } from '../../lib/validate';
import { resourceName } from '../crew/names';
import { createProject, listVisibleProjects, projectView } from './service';

const createBody = z.object({
  name: resourceName,
  description: z.string().max(1000).default(''),
});

export function projectRoutes({ db }: ApiDeps): RouteDef[] {
  return [
    {
      method: 'post',
      path: '/projects',
      permission: 'authenticated',
      summary: 'Create a project; the creator becomes its owner',
      async handler(req, res, { actor }) {
        const input = parseOr422(createBody, req.body ?? {});
        const project = await createProject(db, actor, input);
        res.status(201).json(projectView(project, 'owner'));
      },
    },
    {
      method: 'get',
      path: '/projects',
      permission: 'authenticated',
      summary: 'Projects the caller can see',
      async handler(req, res, { actor }) {
        const page = pageOf(req.query);
        const items = await listVisibleProjects(db, actor, { limit: page.limit, after: page.cursor });
        res.json(
          paged(
            items,
            page.limit,
            (i) => i.project.name,
            (i) => projectView(i.project, i.role),
          ),
        );
      },
    },
    {
      method: 'get',
      path: '/projects/:project',
      permission: { project: 'read' },
      summary: 'One project, with the caller role',
      handler(_req, res, { project, role }) {
        res.json(projectView(project!, role));
      },
    },
  ];
}
